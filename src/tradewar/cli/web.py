"""`tradewar serve`: the HTTP API and dashboard (tradewar.web) under uvicorn."""

from __future__ import annotations

import typer

from tradewar.cli.output import err_console


def register(app: typer.Typer, replicate_app: typer.Typer) -> None:
    """Add the command to the CLI (called once from `tradewar.cli`)."""

    @app.command("serve")
    def serve(
        host: str = typer.Option(
            "127.0.0.1", "--host", metavar="ADDRESS", help="Address to bind; the default serves this machine only."
        ),
        port: int = typer.Option(8000, "--port", metavar="PORT", min=0, max=65535, help="TCP port."),
        max_jobs: int = typer.Option(
            4, "--max-jobs", metavar="N", min=1, help="Background jobs queued or running at once."
        ),
        job_seconds: float = typer.Option(
            600.0, "--job-seconds", metavar="SECONDS", min=1, help="Time limit of one background job (s)."
        ),
        cache_mb: float = typer.Option(
            256.0,
            "--cache-mb",
            metavar="MB",
            min=0,
            help="Memory for cached results (MB): their arrays and JSON answers.",
        ),
        warm: bool = typer.Option(
            True, "--warm/--no-warm", help="Solve the main job (us-china-2025) at start-up: the dashboard opens on it."
        ),
    ):
        """Serve the JSON API (/api, /openapi.json) and the dashboard (/) with uvicorn."""
        import uvicorn  # uvicorn and fastapi (tradewar.web): heavy, loaded only by `tradewar serve`

        from tradewar.web import create_app  # (idem: fastapi)

        err_console.print(f"tradewar dashboard on http://{host}:{port}/  (API docs: /docs; Ctrl-C stops)")
        uvicorn.run(
            create_app(
                max_jobs=max_jobs,
                job_seconds=job_seconds,
                cache_bytes=int(cache_mb * 2**20),
                warm=("us-china-2025",) if warm else (),
            ),
            host=host,
            port=port,
            log_level="warning",
            timeout_keep_alive=30,
        )
