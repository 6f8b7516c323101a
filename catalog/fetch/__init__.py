"""Getting data in: OpenRouter's HTTP API, saved responses and the bundled defaults, as typed rows.

- `client`: one `requests.Session` with timeouts, retries, an overall deadline and a streamed size cap.
- `redact`: the API key and URL credentials kept out of errors and stored text.
- `rawjson`: a response parsed keeping each model's JSON text exactly as sent, nesting bounded.
- `normalize`: raw model JSON -> one typed row per model; `scores`: its benchmark and reasoning fields.
- `cells`: one JSON value -> one cell; `columns`: the model frame's columns, and rows -> the typed frame.
- `endpoints`, `providers`: each model's hosting providers, fetched concurrently.
- `saved`: saved `/models` responses read and dated for import. `defaults`: the bundled model list.
"""
