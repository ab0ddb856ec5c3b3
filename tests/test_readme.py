"""The README's Python examples run as written (in order, in one namespace)."""

from __future__ import annotations

import re
import shutil
import warnings
from pathlib import Path


import myograph

README = Path(__file__).resolve().parents[1] / "README.md"


def _python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.DOTALL)


def test_the_readme_has_exactly_two_quick_start_commands():
    quick = README.read_text(encoding="utf-8").split("## Quick start", 1)[1].split("##", 1)[0]
    block = re.search(r"```bash\n(.*?)```", quick, flags=re.DOTALL).group(1)
    commands = [line.split("#")[0].strip() for line in block.splitlines() if line.split("#")[0].strip()]
    assert commands == ["make demo", "make test"]


def test_the_readme_examples_run(shared_data, tmp_path, monkeypatch):
    from myograph.apps.cli_demo import make_demo_recording

    monkeypatch.chdir(tmp_path)
    demo = make_demo_recording(duration_s=16.0)
    myograph.write(demo.select(type="EMG"), "trial.bdf")
    myograph.write(demo.select(type="EMG"), "overnight.bdf")
    shutil.copy(shared_data / "pyomeca-vicon-c3d" / "markers_analogs.c3d", "walk.c3d")
    namespace: dict = {}
    blocks = _python_blocks()
    assert len(blocks) >= 3
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", myograph.MyographWarning)  # the Vicon file's all-zero channels are flagged
        for block in blocks:
            exec(compile(block, str(README), "exec"), namespace)  # noqa: S102
    assert Path("excerpt.edf").exists()
    assert namespace["trend"].slope.shape == (2,)
    assert len(namespace["onsets"][0]) == 3  # the three simulated biceps bursts
