"""What the tests and benchmarks start: a JupyterLab server, headless Chromium, a loopback JupyterHub."""
