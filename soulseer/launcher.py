"""`make run`: embedded servers, migrations, demo data, then web + worker + cron from the Procfile.

One Ctrl-C stops all three processes (honcho), then the embedded Redis and PostgreSQL.
"""

import os
import sys
from pathlib import Path

from honcho.environ import parse_procfile
from honcho.manager import Manager

from soulseer import embedded
from soulseer.config import PROJECT_ROOT


def prepare_database():
    """Apply migrations and load the demo data, in this process, before anything serves."""
    from flask_migrate import upgrade

    from soulseer import create_app, demo
    from soulseer.content_pages import CONTENT_PAGES
    from soulseer.services.core import content

    app = create_app()
    with app.app_context():
        upgrade()
        content.seed_pages(CONTENT_PAGES)
        return demo.seed()


def main():
    os.chdir(PROJECT_ROOT)
    instance = Path(os.environ.get("SOULSEER_INSTANCE") or PROJECT_ROOT / "instance")
    embedded.export_urls(instance)
    os.environ.setdefault("HOST", "127.0.0.1")
    os.environ.setdefault("PORT", "5000")
    os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")
    os.environ["PYTHONPATH"] = str(PROJECT_ROOT)
    os.environ["PYTHONUNBUFFERED"] = "1"

    sign_ins = prepare_database()

    manager = Manager()
    for name, command in parse_procfile((PROJECT_ROOT / "Procfile").read_text()).processes.items():
        manager.add_process(name, command, env=dict(os.environ), cwd=str(PROJECT_ROOT))

    url = f"http://{os.environ['HOST']}:{os.environ['PORT']}"
    print("\n  SoulSeer is starting at " + url)
    for line in sign_ins:
        print("  " + line)
    print("  Health: " + url + "/healthz   Stop: Ctrl-C\n", flush=True)
    manager.loop()
    stopped_by_user = manager.returncode in (130, 143)  # Ctrl-C or SIGTERM
    return 0 if stopped_by_user else (manager.returncode or 0)


if __name__ == "__main__":
    sys.exit(main())
