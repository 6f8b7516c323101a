"""Small operations on the catalog's frames that every part needs and pandas makes slow."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def is_in(values: pd.Series, allowed: pd.Series | Iterable[str]) -> np.ndarray:
    """A boolean mask: which of `values` are among `allowed` (missing values never are).

    pandas' `isin` on Arrow-backed strings turns `allowed` into a list of Python strings first:
    0.4 s for 50,000 ids, even when `values` is empty. Arrow's own set lookup takes about 10 ms.
    """
    if values.empty:
        return np.zeros(0, dtype=bool)
    allowed_array = pa.array(allowed if isinstance(allowed, pd.Series) else list(allowed), type=pa.string())
    found = pc.is_in(pa.array(values, type=pa.string()), value_set=allowed_array)
    return found.fill_null(False).to_numpy(zero_copy_only=False)
