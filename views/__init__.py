"""Page sections of the Streamlit app: layout and widgets only; the logic lives in `catalog/`."""
