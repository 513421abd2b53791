"""The API's routes, one module per group: pages (dashboard, docs), data, solve, jobs."""
