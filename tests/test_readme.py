"""The README documents what the code does: its permission table is the one enforced."""

from pathlib import Path

from groupql.services.permissions import PERMISSIONS, Standing

README = Path(__file__).parent.parent / "README.md"


def test_the_readme_permission_table_is_the_enforced_one() -> None:
    columns = list(Standing)
    rows = [
        "| action | " + " | ".join(s.name.lower() for s in columns) + " |",
        "|---|" + "---|" * len(columns),
        *(
            f"| {action.value} | "
            + " | ".join("yes" if s in allowed else "" for s in columns)
            + " |"
            for action, allowed in PERMISSIONS.items()
        ),
    ]
    assert "\n".join(rows) in README.read_text()
