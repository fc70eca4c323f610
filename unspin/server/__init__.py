"""The HTTP API and web page (web), the JSON shapes they share with the CLI (api), the page's
static files (static/). Importing this package loads nothing heavy; `web` needs FastAPI."""
