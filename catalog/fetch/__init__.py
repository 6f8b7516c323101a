"""Getting data in: OpenRouter's HTTP API and the bundled defaults, as typed model rows.

- `client`: one `requests.Session` with timeouts, retries and an overall deadline; typed errors.
- `redact`: the API key and URL credentials kept out of errors and stored text, in every echoed form.
- `rawjson`: a response parsed keeping each model's JSON text exactly as sent.
- `normalize`: raw model JSON -> one typed row per model (exact $/1M prices, flags, raw JSON kept).
- `defaults`: the bundled model list (`defaults.json`, in the API's own shape).
"""
