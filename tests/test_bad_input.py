"""Bad input to the `icm` command line: each gives exit code 2 and one line that names the file (and the
line) at fault, or, for broken result files, a warning while the good files are still handled. No model is
needed: the data is checked before the model loads, and result files are written here by `ICMStorage`."""
import json, os
from pathlib import Path
import pytest
from test_cli import icm, assert_user_error

NO_MODEL = "/nonexistent/model"  # a model that cannot load: a data error must come first

@pytest.mark.parametrize("line,message", [
    ("5", "line 2 is not a JSON object {...}: got 5"),
    ("null", "line 2 is not a JSON object {...}: got null"),
    ("[1, 2]", "line 2 is not a JSON object {...}: got [1, 2]"),
    ('{"text": "b", "metadata": 5}', "line 2: 'metadata' must be a JSON object {...}, got 5"),
    ('{"text": "b", "metadata": "abc"}', "line 2: 'metadata' must be a JSON object {...}, got \"abc\""),
    ('{"text": "b", "consistency_id": {"a": 1}}',
     "line 2: 'consistency_id' must be text or a number, got {\"a\": 1}"),
    ('{"text": "b", "consistency_id": [1]}', "line 2: 'consistency_id' must be text or a number, got [1]"),
    ('{"text": 5}', 'line 2: no claim text: expected a non-empty string in one of input_text, input, claim, '
                    'text, sentence, content, prompt, question, got {"text": 5}'),
    ('{"text": "b", "label": "maybe"}', "line 2: 'label' must be True or False (or 1/0, yes/no), got \"maybe\""),
], ids=["int", "null", "list", "metadata-int", "metadata-text", "id-object", "id-list", "text-int", "label-maybe"])
def test_run_bad_jsonl_record(tmp_path, line, message):
    data = tmp_path/"claims.jsonl"
    data.write_text('{"text": "a"}\n' + line + "\n")
    res = icm("run", "--dataset", data, "--model", NO_MODEL, "--output-dir", tmp_path/"out")
    assert_user_error(res, f"{data}: {message}")

@pytest.mark.parametrize("text,message", [
    ('[{"text": "a"}, {"text": "b", "metadata": 5}]',
     "record 2: 'metadata' must be a JSON object {...}, got 5"),
    ('[{"text": "a"}, 7]', "record 2 is not a JSON object {...}: got 7"),
    ('{"examples": [{"text": "a", "consistency_id": [1]}]}',
     "record 1: 'consistency_id' must be text or a number"),
], ids=["metadata-int", "int", "id-list"])
def test_run_bad_json_record(tmp_path, text, message):
    data = tmp_path/"claims.json"
    data.write_text(text)
    res = icm("run", "--dataset", data, "--model", NO_MODEL, "--output-dir", tmp_path/"out")
    assert_user_error(res, f"{data}: {message}")

@pytest.mark.parametrize("name,content,message", [
    ("empty.csv", b"", "empty file (no columns to parse)"),
    ("latin1.csv", "text,label\nok,1\ncafé,0\n".encode("latin-1"), "line 3 is not UTF-8 text (byte 0xe9)"),
    ("latin1.jsonl", '{"text": "café"}\n'.encode("latin-1"), "line 1 is not UTF-8 text (byte 0xe9)"),
    ("meta.csv", b"text,metadata\na,abc\n", "row 1: 'metadata' must be a JSON object {...}, got \"abc\""),
    ("maybe.csv", b"text,label\na,1\nb,maybe\n", "row 2: 'label' must be True or False (or 1/0, yes/no)"),
], ids=["empty-csv", "latin1-csv", "latin1-jsonl", "csv-metadata", "csv-label"])
def test_run_unreadable_file_names_it(tmp_path, name, content, message):
    data = tmp_path/name
    data.write_bytes(content)
    res = icm("run", "--dataset", data, "--model", NO_MODEL, "--output-dir", tmp_path/"out")
    assert_user_error(res, f"{data}: {message}")

def save(directory, name="r", n=4):
    "A small hand-made result saved in `directory`; its path."
    from icm.results import ICMResult, LabeledExample
    from icm.storage import ICMStorage
    examples = [LabeledExample(f"Claim {i}\nI think this claim is", ("True", "False")[i % 2], 1.0,
                               {"consistency_id": i, "gold_label": "True"}) for i in range(n)]
    meta = {"task_type": "classification", "model": "m"}
    result = ICMResult(examples, -0.5, 3, [], {"reason": "max_iterations"}, meta)
    return ICMStorage(directory).save_result(result, name)

def cut_copy(path, to, n_bytes=10):
    "A copy of `path` without its last `n_bytes` (as a copy interrupted, or a full disk, leaves it)."
    Path(to).write_bytes(Path(path).read_bytes()[:-n_bytes])
    return Path(to)

# ---- export to a path that cannot be written

@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv", "analysis", "dpo"])
def test_export_under_a_file_or_to_a_folder(tmp_path, fmt):
    result, blocker = save(tmp_path/"results"), tmp_path/"a-file"
    blocker.write_text("")
    out = blocker/f"x.{fmt}"
    assert_user_error(icm("export", "--input-path", result, "--output-path", out, "--format", fmt),
                      f"icm export: error: Cannot write {out}: {blocker} is not a directory")
    folder = tmp_path/"folder"
    (folder/"inside").mkdir(parents=True)
    assert_user_error(icm("export", "--input-path", result, "--output-path", folder, "--format", fmt),
                      f"icm export: error: Cannot write {folder}: it is a directory")
    assert not list(tmp_path.glob(".*.tmp")) and not list(tmp_path.glob("**/.*.tmp"))

@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root writes into read-only folders")
def test_export_into_a_read_only_folder(tmp_path):
    result, ro = save(tmp_path/"results"), tmp_path/"ro"
    ro.mkdir(mode=0o555)
    try:
        res = icm("export", "--input-path", result, "--output-path", ro/"x.json", "--format", "json")
        assert_user_error(res, f"icm export: error: Cannot write {ro/'x.json'}: Permission denied")
    finally: ro.chmod(0o755)

# ---- broken result files: list and analyze skip them with a warning, clean never keeps one over a good one

def test_list_and_analyze_skip_a_truncated_result(tmp_path):
    d = tmp_path/"results"
    good = save(d)
    cut = cut_copy(good, d/"cut.jsonl")
    res = icm("list", "--results-dir", d)
    assert res.returncode == 0, res.stderr
    assert [l.split()[0] for l in res.stdout.splitlines()[2:]] == [good.name]
    assert res.stderr.strip() == f"WARNING: {cut} is incomplete: 3 of 4 examples (truncated?); skipped"
    res = icm("analyze", "--results-dir", d)
    assert res.returncode == 0, res.stderr
    assert f"Result: {good}" in res.stdout and str(cut) not in res.stdout
    assert f"{cut} is incomplete" in res.stderr and "Traceback" not in res.stderr
    res = icm("analyze", "--results-dir", d, "--json")
    assert res.returncode == 0 and json.loads(res.stdout)["n_results"] == 1
    assert_user_error(icm("analyze", "--result-file", cut),
                      f"{cut} is incomplete: 3 of 4 examples (truncated?)")

def test_clean_keeps_the_good_copy(tmp_path):
    "A truncated copy of the newest result (its `saved_at`, a newer file): the good one is kept."
    d = tmp_path/"results"
    old, good = save(d, "old"), save(d, "new")
    cut = cut_copy(good, d/"new_copy.jsonl")
    at = good.stat().st_mtime_ns + 10**9
    os.utime(cut, ns=(at, at))
    res = icm("clean", "--results-dir", d, "--keep-latest", 1)
    assert res.returncode == 0, res.stderr
    assert sorted(p.name for p in d.glob("*.jsonl")) == sorted([good.name, cut.name])
    assert "removed " + old.name in res.stdout
    assert f"WARNING: {cut} is incomplete" in res.stderr and "left in place" in res.stderr
    res = icm("clean", "--results-dir", d, "--keep-latest", 0)
    assert res.returncode == 0 and not list(d.glob("*.jsonl"))

# ---- --results-dir that is a file, or missing

@pytest.mark.parametrize("command", ["list", "analyze", "clean"])
def test_results_dir_that_is_a_file(tmp_path, command):
    f = tmp_path/"results.txt"
    f.write_text("")
    assert_user_error(icm(command, "--results-dir", f), f"icm {command}: error: {f} is not a directory")

@pytest.mark.parametrize("command,says", [("list", "No ICM results in"), ("analyze", "No ICM results in"),
                                          ("clean", "Nothing to remove in")])
def test_missing_results_dir_holds_no_results(tmp_path, command, says):
    res = icm(command, "--results-dir", tmp_path/"none")
    assert res.returncode == 0 and f"{says} {tmp_path/'none'}" in res.stdout and not res.stderr
