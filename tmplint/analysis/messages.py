"""The words of the TMP1xx findings, shared by the in-file checker and the project index (which
runs without LibCST: nothing here may import it)."""

from tmplint.analysis import values as V


def rule_code(kind: str, locked: bool, constant: str, derived: str) -> str:
    if kind == V.WEAKLY_UNIQUE:
        return "TMP106"
    if locked:
        return "TMP105"
    return constant if kind == V.CONSTANT else derived


def rename_message(kind: str, spelled: str, label: str, dst_text: str, locked: bool) -> str:
    """TMP102/103/105/106 at a rename into place; also for renames the project index decides."""
    if kind == V.CONSTANT:
        reason = f'constant name "{spelled}"'
    elif kind == V.DERIVED:
        reason = f'name "{spelled}" derived from destination "{dst_text}"'
    else:
        reason = f'name "{spelled}" that varies only by pid, thread, time or counter'
    lock = " (held under a file lock: safe only where the lock works)" if locked and kind != V.WEAKLY_UNIQUE else ""
    return f"{label}() renames a temp file with {reason}; concurrent writers collide{lock}"


def helper_message(spelled: str, label: str, where: str) -> str:
    """TMP101 through a known summary; ``where`` is ``line 21`` or ``utils.py:21``."""
    return (f'temp name "{spelled}" passed to {label}(), which renames it into place '
            f"without a unique part at {where}; concurrent saves collide")


def default_message(spelled: str, parameter: str, where: str) -> str:
    return (f'default temp name "{spelled}" of parameter "{parameter}" is '
            f"renamed into place without a unique part at {where}; concurrent saves collide")
