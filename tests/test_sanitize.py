"""nbval silently drops a sanitize pattern whose lines are malformed; catch that here."""

import configparser
import re
from pathlib import Path

from nbval.plugin import get_sanitize_patterns

SANITIZE_FILE = Path(__file__).parent / "nbval_sanitize.cfg"


def read_sections() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(SANITIZE_FILE, encoding="utf-8")
    return parser


def test_every_section_is_a_regex_replace_pair():
    sections = read_sections()
    assert sections.sections(), "no patterns found"
    for name in sections.sections():
        assert set(sections[name]) == {"regex", "replace"}, f"section [{name}]"


def test_nbval_reads_every_pattern():
    # nbval reads the file with its own regex: each section must survive it.
    patterns = get_sanitize_patterns(SANITIZE_FILE.read_text(encoding="utf-8"))
    assert len(patterns) == len(read_sections().sections())


def test_every_regex_compiles():
    for regex, _ in get_sanitize_patterns(SANITIZE_FILE.read_text(encoding="utf-8")):
        re.compile(regex)


def apply_patterns(text: str) -> str:
    for regex, replace in get_sanitize_patterns(SANITIZE_FILE.read_text(encoding="utf-8")):
        text = re.sub(regex, replace, text)
    return text


def test_addresses_and_timings_are_replaced():
    assert apply_patterns("<object at 0x7f3a2b1c9d80>") == "<object at 0xADDRESS>"
    assert apply_patterns("Training took 12.3 s") == "Training took N s"


def test_notebook_07s_temporary_script_folder_is_replaced():
    written = "Writing /tmp/training_on_many_processes_x1y_2/train.py"
    assert apply_patterns(written) == "Writing SCRIPT_FOLDER/train.py"


def test_ordinary_numbers_are_left_alone():
    text = "Validation accuracy: 98.4% after 12 epochs, 3 s per epoch"
    assert apply_patterns(text) == text
