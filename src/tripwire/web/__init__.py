"""Web dashboard and REST API (FastAPI, server-rendered, no CDN)."""
