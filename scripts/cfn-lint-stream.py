"""cfn-lint for the main job (scripts/run-examples.ts), one template at a time as they are synthesized.

Reads template paths on stdin, one per line, and answers each with one JSON line on stdout:
{"template": <path>, "lines": [<cfn-lint's parseable lines, without the file name and its colon>]}
or, when cfn-lint fails on it, {"template": <path>, "error": <message>}. Every template is linted as `cfn-lint --format parseable
<path>` lints it (the same configuration, rules and output), but cfn-lint is imported and its rules
are loaded once, as its command does for the templates it is given together: the job starts this
process before the first example is synthesized and lints each template as it is written, instead
of linting every template at the end.

Prints {"unavailable": <message>} and exits 3 when this Python can't import cfn-lint (it may be
installed for another Python, with pipx for example): the job then runs the `cfn-lint` command.
"""

import json
import sys

try:
    from cfnlint.config import ConfigMixIn
    from cfnlint.runner.cli import Runner, get_formatter
    from cfnlint.runner.template import run_template_by_file_paths
except ImportError as e:  # pragma: no cover - depends on the machine
    print(json.dumps({"unavailable": str(e)}), flush=True)
    sys.exit(3)


def main() -> None:
    rules = None
    for line in sys.stdin:
        path = line.rstrip("\n")
        if not path:
            continue
        try:
            config = ConfigMixIn(["--format", "parseable", path])
            if rules is None:
                rules = Runner(config).rules
            matches = list(run_template_by_file_paths(config, rules))
            matches.sort(key=lambda m: (m.filename, m.linenumber, m.rule.id))
            formatter = get_formatter(config)
            # The parseable format is `file:line:col:endline:endcol:RULE:message`: the file name (as
            # cfn-lint normalizes it) is left out, so no name can be mistaken for another.
            lines = [formatter.print_matches([m], rules, config=config)[len(str(m.filename)) + 1 :] for m in matches]
            answer = {"template": path, "lines": lines}
        except (Exception, SystemExit) as e:  # noqa: BLE001 - reported for this template, the next one still runs
            answer = {"template": path, "error": f"{type(e).__name__}: {e}"}
        print(json.dumps(answer), flush=True)


main()
