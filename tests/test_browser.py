"""The course works in a real JupyterLab, driven by a real (headless) Chromium.

A module-scoped fixture starts ``jupyter lab`` on 127.0.0.1 with a random token; the
browser test opens the first solution, runs every cell from the Run menu, and checks that
the widget explorer renders, that moving a slider redraws its figure, and that no cell
shows an error. JupyterLab's settings, workspaces, checkpoints and runtime files go to a
temporary folder, autosave is off and the notebook is never saved, so the repository is
left exactly as it was.

The browser test needs Debian's ``chromium`` (``apt-get install chromium``; ``.ci/run``
installs it) and the ``playwright`` package; it skips, saying which is missing, without
them. It never downloads a browser.
"""

import importlib.util
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from offline_browser import CHROMIUM, CHROMIUM_ARGS

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = "solutions/00_straight_line_sgd.ipynb"
# Every wait is bounded; together they keep the test well under two minutes.
SERVER_START_S = 45
PAGE_LOAD_S = 45
RUN_ALL_S = 60
REDRAW_S = 20
PAGE_LOAD_MS, RUN_ALL_MS, REDRAW_MS = PAGE_LOAD_S * 1000, RUN_ALL_S * 1000, REDRAW_S * 1000
ERROR_SELECTOR = (
    '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"], '
    '.jp-RenderedText[data-mime-type="application/vnd.jupyter.error"]'
)
STDERR_SELECTOR = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")

# JupyterLab user settings for the test server: no autosave (the notebook must never be
# written) and every cell kept in the page (no windowing), so that selectors see them all.
LAB_SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",  # no request to the Jupyter news feed, no "news?" toast
        "checkForUpdates": False,
    },
}


@dataclass(frozen=True)
class JupyterServer:
    """A running Jupyter server: where to reach it and where it logs.

    Attributes
    ----------
    url : str
        Base URL, such as ``http://127.0.0.1:8888``.
    token : str
        The random token the server requires.
    log : Path
        File holding the server's stdout and stderr.
    """

    url: str
    token: str
    log: Path

    def lab_url(self, path: str) -> str:
        """Return the JupyterLab URL that opens ``path`` (relative to the repository root)."""
        return f"{self.url}/lab/tree/{path}?token={self.token}"

    def has_kernel_for(self, path: str) -> bool:
        """Return whether a kernel session is open for the notebook at ``path``."""
        url = f"{self.url}/api/sessions?token={self.token}"
        with urllib.request.urlopen(url, timeout=5) as response:
            sessions = json.load(response)
        return any(session["path"] == path and session.get("kernel") for session in sessions)

    def log_tail(self, num_chars: int = 3000) -> str:
        """Return the end of the server's log, for failure messages."""
        return self.log.read_text(encoding="utf-8", errors="replace")[-num_chars:]


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_lab_settings(settings_dir: Path) -> None:
    """Write :data:`LAB_SETTINGS` as JupyterLab user settings under ``settings_dir``."""
    for name, values in LAB_SETTINGS.items():
        path = settings_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")


def wait_until_ready(server: JupyterServer, process: subprocess.Popen, timeout_s: float) -> None:
    """Poll the server's status API until it answers, the process dies, or time runs out.

    Raises
    ------
    RuntimeError
        If the server exits or does not answer within ``timeout_s`` seconds.
    """
    deadline = time.monotonic() + timeout_s
    status_url = f"{server.url}/api/status?token={server.token}"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"jupyter lab exited with status {process.returncode}:\n{server.log_tail()}"
            )
        try:
            with urllib.request.urlopen(status_url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    raise RuntimeError(f"jupyter lab did not answer in {timeout_s} s:\n{server.log_tail()}")


def stop(process: subprocess.Popen) -> None:
    """Terminate ``process``, then kill it if it has not exited within 15 seconds."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=15)


@pytest.fixture(scope="module")
def jupyter_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JupyterServer]:
    """Start ``jupyter lab`` at the repository root; stop it afterwards, whatever happens."""
    home = tmp_path_factory.mktemp("jupyter")
    settings_dir = home / "user-settings"
    write_lab_settings(settings_dir)
    env = {
        **os.environ,
        # Per-user Jupyter and IPython state goes to the temporary folder; the data path
        # (kernels, the widgets labextension in the environment's share/jupyter) stays default.
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(settings_dir),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
        "IPYTHONDIR": str(home / "ipython"),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    port = free_port()
    server = JupyterServer(
        url=f"http://127.0.0.1:{port}", token=secrets.token_hex(24), log=home / "server.log"
    )
    command = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={server.token}",
        f"--ServerApp.root_dir={ROOT}",
        f"--FileCheckpoints.root_dir={home / 'checkpoints'}",
        f"--LabApp.workspaces_dir={home / 'workspaces'}",
        f"--LabApp.user_settings_dir={settings_dir}",
        "--LabApp.extension_manager=readonly",  # no PyPI look-ups from the Extension Manager
        "--ServerApp.allow_root=True",  # CI containers run as root
    ]
    with server.log.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_until_ready(server, process, SERVER_START_S)
            yield server
        finally:
            stop(process)


def test_widgets_extension_is_enabled_in_jupyterlab() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "jupyter", "labextension", "list"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    listing = ANSI_ESCAPE.sub("", result.stdout + result.stderr)
    lines = [line for line in listing.splitlines() if "@jupyter-widgets/jupyterlab-manager" in line]
    assert lines, f"the widgets extension is not installed:\n{listing}"
    words = lines[0].split()
    assert "enabled" in words, f"the widgets extension is not enabled: {lines[0].strip()!r}"
    assert "OK" in words, f"the widgets extension is not OK: {lines[0].strip()!r}"


def click_menu(page: "Page", menu: str, item: str) -> None:
    """Click ``item`` in JupyterLab's ``menu`` of the main menu bar."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{menu}$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{item}$")).click()


def count_code_cells(path: Path) -> int:
    """Return the number of code cells in the notebook at ``path``."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return sum(cell["cell_type"] == "code" for cell in cells)


def start_kernel(page: "Page", server: JupyterServer, timeout_s: float) -> None:
    """Wait until the notebook open in ``page`` has a kernel, accepting "Select Kernel".

    JupyterLab asks which kernel to start when the notebook opens before it has loaded
    the list of kernels (a race on a busy machine); a learner would press "Select", and
    so does this function.

    Raises
    ------
    TimeoutError
        If no kernel is running for :data:`NOTEBOOK` after ``timeout_s`` seconds.
    """
    dialog = page.locator(".jp-Dialog", has_text="Select Kernel")
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if dialog.is_visible():
            dialog.locator(".jp-mod-accept").click()
        if server.has_kernel_for(NOTEBOOK):
            return
        time.sleep(0.25)
    raise TimeoutError(f"no kernel started for {NOTEBOOK} in {timeout_s} s")


def error_outputs(notebook: "Locator") -> "Locator":
    """Return the error outputs in ``notebook``.

    JupyterLab 4 shows an error as a stderr output holding the traceback; an output of
    the error type is matched too.
    """
    tracebacks = notebook.locator(STDERR_SELECTOR, has_text="Traceback")
    return notebook.locator(ERROR_SELECTOR).or_(tracebacks)


def error_texts(notebook: "Locator") -> list[str]:
    """Return the text of every error output in ``notebook``."""
    return error_outputs(notebook).all_inner_texts()


@pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"{CHROMIUM} not found: install Debian's chromium "
    "(apt-get install --no-install-recommends chromium) to run the browser test",
)
@pytest.mark.skipif(
    importlib.util.find_spec("playwright") is None,
    reason='playwright is not installed: pip install -e ".[test]"',
)
def test_solution_runs_in_jupyterlab_with_a_working_widget_explorer(
    jupyter_server: JupyterServer, tmp_path: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    notebook_bytes = (ROOT / NOTEBOOK).read_bytes()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch_persistent_context(
            user_data_dir=tmp_path / "chromium-profile",
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1400, "height": 1000},
        )
        page = browser.new_page()
        page.set_default_timeout(PAGE_LOAD_MS)
        try:
            page.goto(jupyter_server.lab_url(NOTEBOOK))
            notebook = page.locator(".jp-NotebookPanel:visible .jp-Notebook")
            expect(notebook).to_be_visible(timeout=PAGE_LOAD_MS)
            start_kernel(page, jupyter_server, PAGE_LOAD_S)
            indicator = page.locator(".jp-NotebookPanel:visible .jp-Notebook-ExecutionIndicator")
            expect(indicator).to_have_attribute("data-status", "idle", timeout=PAGE_LOAD_MS)

            # Edit → Clear Outputs of All Cells, then Run → Run All Cells, as a learner would.
            # Clearing first (once every stored output is on the page) means that every
            # output checked below comes from this run, not from the notebook file.
            prompts = notebook.locator(".jp-CodeCell .jp-InputArea-prompt")
            num_code_cells = count_code_cells(ROOT / NOTEBOOK)
            stored = [f"[{count}]:" for count in range(1, num_code_cells + 1)]
            expect(prompts).to_have_text(stored, timeout=PAGE_LOAD_MS)
            click_menu(page, "Edit", "Clear Outputs of All Cells")
            expect(prompts).to_have_text(["[ ]:"] * num_code_cells, timeout=REDRAW_MS)
            expect(notebook.locator(".jp-OutputArea-output")).to_have_count(0, timeout=REDRAW_MS)
            click_menu(page, "Run", "Run All Cells")

            # Wait until the last code cell has run, or a cell shows an error (which stops
            # Run All): then no cell shows an error, and the code cells ran once each, in
            # order (prompts [1], [2], …), and the kernel is idle.
            last_ran = prompts.last.filter(has_text=f"[{num_code_cells}]:")
            expect(last_ran.or_(error_outputs(notebook)).first).to_be_attached(timeout=RUN_ALL_MS)
            assert not error_texts(notebook), f"cells show errors: {error_texts(notebook)}"
            expect(prompts).to_have_text(stored)
            expect(indicator).to_have_attribute("data-status", "idle", timeout=RUN_ALL_MS)

            explorer = notebook.locator(".jp-CodeCell", has=page.locator(".widget-slider"))
            expect(explorer).to_have_count(1, timeout=REDRAW_MS)
            explorer.scroll_into_view_if_needed()
            expect(explorer.locator(".widget-slider")).to_have_count(2, timeout=REDRAW_MS)
            figure = explorer.locator(".jp-OutputArea-output img")
            expect(figure).to_be_visible(timeout=REDRAW_MS)
            page.screenshot(path=tmp_path / "explorer.png")

            # Move the "steps" slider one step with the keyboard: the figure is redrawn.
            figure_before = figure.get_attribute("src") or ""
            steps = explorer.locator(".widget-slider", has_text="steps")
            steps.locator(".noUi-handle").focus()
            page.keyboard.press("ArrowRight")
            expect(steps.locator(".widget-readout")).to_have_text("51", timeout=REDRAW_MS)
            expect(figure).not_to_have_attribute("src", figure_before, timeout=REDRAW_MS)
            page.screenshot(path=tmp_path / "explorer_after_slider.png")

            assert not error_texts(notebook), f"cells show errors: {error_texts(notebook)}"
        except Exception:
            # Keep what the browser showed, to look at next to the server log.
            page.screenshot(path=tmp_path / "failure.png")
            raise
        finally:
            browser.close()

    assert (tmp_path / "explorer.png").stat().st_size > 0
    assert (ROOT / NOTEBOOK).read_bytes() == notebook_bytes, f"{NOTEBOOK} was modified"
