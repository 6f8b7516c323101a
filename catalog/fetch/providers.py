"""Every model's hosting providers: one `/endpoints` request per model, a bounded number at a time.

Requests go through the client's one request path (session, timeouts, size and origin checks,
typed errors, retries), share one overall deadline, and share their backoff: a 429 to any worker
holds back every worker for its `Retry-After`. A model whose request fails is reported with the
reason, never raised: the caller keeps what it knew of that model.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd

from catalog.errors import CatalogError, FetchTimeout, HTTPStatusError
from catalog.fetch.client import OpenRouterClient, SharedBackoff
from catalog.fetch.endpoints import EndpointRow, endpoints_frame, endpoints_path, parse_endpoints

Progress = Callable[[int, int], None]  # (models done, models in all)


@dataclass
class EndpointsFetch:
    """What one provider refresh got: rows of the models that answered, and why the others did not."""

    rows: list[EndpointRow] = field(default_factory=list)
    answered: set[str] = field(default_factory=set)  # models whose answer replaces what was known
    failed: dict[str, str] = field(default_factory=dict)  # model id -> short reason ("500 from OpenRouter")
    problems: list[str] = field(default_factory=list)


def fetch_all_endpoints(
    client: OpenRouterClient,
    model_ids: Sequence[str],
    *,
    fetched_at: datetime,
    concurrency: int,
    progress: Progress | None = None,
) -> EndpointsFetch:
    """Fetch the endpoints of every model, at most `concurrency` at once (`OPENROUTER_CONCURRENCY`),
    within `client.deadline_s`.

    `progress` is called on the calling thread (so a page can draw it) after each model.
    """
    deadline = time.monotonic() + client.deadline_s
    backoff = SharedBackoff()
    stop = threading.Event()
    result = EndpointsFetch()
    total = len(model_ids)

    def fetch_one(model_id: str) -> tuple[str, list[EndpointRow] | None, list[str], str | None]:
        if stop.is_set() or time.monotonic() >= deadline:
            return model_id, None, [], f"not reached within {client.deadline_s:g} s"
        try:
            payload, _ = client.get_api_json(endpoints_path(model_id), deadline, backoff)
            parsed = parse_endpoints(payload, model_id, fetched_at)
        except HTTPStatusError as error:
            if error.status == 404:
                return model_id, [], [], None  # no live provider: none, not an error
            return model_id, None, [], f"{error.status} from OpenRouter"
        except FetchTimeout:
            return model_id, None, [], f"not answered within {client.deadline_s:g} s"
        except CatalogError as error:
            return model_id, None, [], _first_words(str(error))
        return model_id, parsed.rows, parsed.problems, None

    done = 0
    if progress is not None:
        progress(done, total)
    with ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="endpoints") as pool:
        futures = [pool.submit(fetch_one, model_id) for model_id in model_ids]
        try:
            # as_completed waits on every future once (waiting again on the pending set costs n each time).
            for future in as_completed(futures):
                model_id, rows, problems, reason = future.result()
                if rows is None:
                    result.failed[model_id] = reason or "failed"
                else:
                    result.answered.add(model_id)
                    result.rows.extend(rows)
                    result.problems.extend(problems)
                done += 1
                if progress is not None:
                    progress(done, total)
        finally:
            stop.set()  # on an error in `progress` (or an interrupt), the queued models end at once
    return result


def _first_words(text: str) -> str:
    return text.splitlines()[0][:120] if text else "failed"


@dataclass(frozen=True)
class Kept:
    """A model whose request failed: its earlier providers stay, from `since` (None: none known)."""

    model_id: str
    reason: str
    since: datetime | None


def merged_endpoints(
    previous: pd.DataFrame, fetched: EndpointsFetch, model_ids: Sequence[str]
) -> tuple[pd.DataFrame, list[Kept]]:
    """The new endpoints table: each answering model's new rows, each failed model's earlier rows.

    Only models in `model_ids` (the catalog now) are kept; rows follow the catalog's order.
    """
    wanted = set(model_ids)
    earlier = previous[previous["model_id"].isin(fetched.failed.keys() & wanted)]
    since = earlier.groupby("model_id", sort=False)["fetched_at"].min() if len(earlier) else {}
    kept = [
        Kept(model_id, reason, since[model_id].to_pydatetime() if model_id in since else None)
        for model_id, reason in fetched.failed.items()
        if model_id in wanted
    ]
    new = endpoints_frame([row for row in fetched.rows if row.model_id in wanted])
    frame = pd.concat([new, earlier], ignore_index=True) if len(earlier) else new
    order = {model_id: position for position, model_id in enumerate(model_ids)}
    positions = frame["model_id"].map(order)
    frame = frame.iloc[positions.argsort(kind="stable")].reset_index(drop=True)
    return frame, kept


def describe_refresh(updated: int, kept: list[Kept]) -> str:
    """'529 models updated, 20 kept from 2026-11-30: 500 from OpenRouter' (kept grouped by day and reason)."""
    text = f"{updated:,} models updated"
    groups: dict[str, Counter[str]] = {}
    for item in kept:
        day = f"kept from {item.since:%Y-%m-%d}" if item.since else "with no providers known yet"
        groups.setdefault(day, Counter())[item.reason] += 1
    for day, reasons in sorted(groups.items()):
        count = sum(reasons.values())
        if len(reasons) == 1:
            text += f", {count:,} {day}: {next(iter(reasons))}"
        else:
            why = ", ".join(f"{n:,} {reason}" for reason, n in reasons.most_common())
            text += f", {count:,} {day} ({why})"
    return text
