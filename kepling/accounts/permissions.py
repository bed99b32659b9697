"""Who may do what: the one place web views, the API, templates, exports and actions ask.

Each right is granted to a set of roles once, in `RIGHTS`; the predicates below add the area
check (the object must lie under the user's own node). `docs/security.md` carries the table
`rights_table()` prints, and a test keeps the two equal. A superuser works as Admin kota. An
account bound to no area (a Kepling whose term ended, an account not set up yet) has no right.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from kepling.accounts.models import Role, User
from kepling.accounts.scoping import root_wilayah
from kepling.regions.models import KOTA, LEVEL_KEYS, Wilayah

if TYPE_CHECKING:
    from kepling.workers.models import Worker


class Right(StrEnum):
    VIEW_WORKERS = "view_workers"
    REGISTER_WORKERS = "register_workers"
    EDIT_WORKERS = "edit_workers"
    MOVE_WORKERS = "move_workers"
    REVEAL_NIK = "reveal_nik"
    CHECK_NIK = "check_nik"
    UPLOAD_WORKERS = "upload_workers"
    UPLOAD_PAYMENTS = "upload_payments"
    SEE_ALL_IMPORT_JOBS = "see_all_import_jobs"
    DECIDE_QUEUES = "decide_queues"
    VIEW_DASHBOARDS = "view_dashboards"
    VIEW_RECONCILIATION = "view_reconciliation"
    RECONCILE = "reconcile"
    VIEW_UNMATCHED_PAYMENTS = "view_unmatched_payments"
    FOLLOW_UP = "follow_up"
    VIEW_ESCALATIONS = "view_escalations"
    PUBLISH_RANKINGS = "publish_rankings"
    FULL_NIK_IN_REPORTS = "full_nik_in_reports"
    VIEW_AUDIT = "view_audit"
    MANAGE_ACCOUNTS = "manage_accounts"
    DATA_SUBJECT_REQUESTS = "data_subject_requests"
    RESET_KEPLING_PASSWORDS = "reset_kepling_passwords"
    HAND_OVER_LINGKUNGAN = "hand_over_lingkungan"
    MANAGE_LINGKUNGAN = "manage_lingkungan"
    MANAGE_REMINDER_RULES = "manage_reminder_rules"
    MANAGE_PAYMENT_CHANNELS = "manage_payment_channels"


@dataclass(frozen=True)
class Grant:
    """Who holds a right, and what it covers (for the table in docs/security.md)."""

    roles: frozenset[Role]
    covers: str


K, L, C, A, B, P = Role.KEPLING, Role.LURAH, Role.CAMAT, Role.ADMIN_KOTA, Role.PETUGAS_BPJS, Role.PIMPINAN
AREA_HEADS = frozenset({L, C})

# Domain section 2: the BPJS officer reads and reconciles, never registers or edits workers;
# Pimpinan only reads; a Lurah or Camat registers in their own area (workers walk in at the
# kelurahan office); every right stops at the user's own node.
RIGHTS: dict[Right, Grant] = {
    Right.VIEW_WORKERS: Grant(frozenset({K, L, C, A, B, P}), "the workers of the user's area, NIK masked"),
    Right.REGISTER_WORKERS: Grant(frozenset({K, L, C, A}), "register a worker in a lingkungan of the user's area"),
    Right.EDIT_WORKERS: Grant(frozenset({K, L, C, A}), "correct or withdraw a worker of the user's area"),
    Right.MOVE_WORKERS: Grant(frozenset({L, A}), "move a worker to another lingkungan of the user's area"),
    Right.REVEAL_NIK: Grant(frozenset({K, A}), "the full NIK: a Kepling in their lingkungan, Admin kota city-wide"),
    Right.CHECK_NIK: Grant(frozenset({K, L, C, A}), "whether a NIK is registered (rate-limited, audited)"),
    Right.UPLOAD_WORKERS: Grant(frozenset({K, L, C, A}), "worker files; rows outside the user's area are rejected"),
    Right.UPLOAD_PAYMENTS: Grant(frozenset({A, B}), "BPJS payment extracts (city-wide)"),
    Right.SEE_ALL_IMPORT_JOBS: Grant(frozenset({A, B}), "every import job; others see their own"),
    Right.DECIDE_QUEUES: Grant(frozenset({L, C, A}), "attribution conflicts and likely duplicates wholly in the area"),
    Right.VIEW_DASHBOARDS: Grant(frozenset({L, C, A, B, P}), "dashboards, rankings, reports of the user's area"),
    Right.VIEW_RECONCILIATION: Grant(frozenset({L, C, A, B, P}), "reconciliation queues of the user's area"),
    Right.RECONCILE: Grant(frozenset({A, B}), "resolve reconciliation items"),
    Right.VIEW_UNMATCHED_PAYMENTS: Grant(frozenset({A, B, P}), "payments matching no worker (no area yet)"),
    Right.FOLLOW_UP: Grant(frozenset({K, L, C, A}), "record the outcome of a reminder contact"),
    Right.VIEW_ESCALATIONS: Grant(frozenset({L, C, A, P}), "escalated reminders and their effect"),
    Right.PUBLISH_RANKINGS: Grant(frozenset({A}), "freeze a ranking for an award"),
    Right.FULL_NIK_IN_REPORTS: Grant(frozenset({A}), "the full NIK in exported worker lists"),
    Right.VIEW_AUDIT: Grant(frozenset({A}), "the audit log"),
    Right.MANAGE_ACCOUNTS: Grant(frozenset({A}), "accounts, terms and API tokens of others"),
    Right.DATA_SUBJECT_REQUESTS: Grant(frozenset({A}), "export, correct and erase one person's data"),
    Right.RESET_KEPLING_PASSWORDS: Grant(frozenset({L, A}), "a new one-time password for a Kepling of the user's area"),
    Right.HAND_OVER_LINGKUNGAN: Grant(frozenset({A}), "Kepling terms: hand a lingkungan over to the next Kepling"),
    Right.MANAGE_LINGKUNGAN: Grant(frozenset({A}), "add and rename lingkungan, change their targets (with a reason)"),
    Right.MANAGE_REMINDER_RULES: Grant(frozenset({A}), "switch reminder rules on or off, edit wording and timing"),
    Right.MANAGE_PAYMENT_CHANNELS: Grant(frozenset({A}), "the payment channels every reminder names"),
}


def effective_role(user: Any) -> Role | None:
    """The role the rules apply to: a superuser works as Admin kota."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.is_superuser:
        return Role.ADMIN_KOTA
    return Role(user.role) if user.role in Role.values else None


def has_right(user: Any, right: Right) -> bool:
    """Whether the user's role holds the right and the account is bound to an area."""
    role = effective_role(user)
    return role is not None and role in RIGHTS[right].roles and root_wilayah(user) is not None


def in_area(user: User, node: Wilayah | None) -> bool:
    """Whether the node lies under (or is) the user's own node."""
    root = root_wilayah(user)
    if root is None or node is None:
        return False
    return bool(getattr(node, f"{LEVEL_KEYS[root.level]}_id") == root.pk)


def all_in_area(user: User, nodes: Iterable[Wilayah | None]) -> bool:
    return all(in_area(user, node) for node in nodes)


# Named predicates: what callers ask ------------------------------------------------------------


def may_view_workers(user: Any) -> bool:
    return has_right(user, Right.VIEW_WORKERS)


def may_register(user: Any, node: Wilayah | None = None) -> bool:
    """Register workers at all, or (with `node`) in that lingkungan."""
    if not has_right(user, Right.REGISTER_WORKERS):
        return False
    return node is None or in_area(user, node)


def may_edit_worker(user: Any, worker: Worker | None = None) -> bool:
    """Correct or withdraw workers at all, or (with `worker`) this one."""
    if not has_right(user, Right.EDIT_WORKERS):
        return False
    return worker is None or in_area(user, worker.lingkungan)


def may_correct_worker(user: Any, worker: Worker) -> bool:
    """Correct, withdraw or reinstate this worker: area heads, the city, and the Kepling it is credited to."""
    if not may_edit_worker(user, worker):
        return False
    return effective_role(user) != K or worker.credited_kepling_id == user.pk


def may_move_worker(user: Any, worker: Worker | None = None) -> bool:
    """Move workers at all, or (with `worker`) this one of the user's area."""
    if not has_right(user, Right.MOVE_WORKERS):
        return False
    return worker is None or in_area(user, worker.lingkungan)


def may_reveal_nik(user: Any, worker: Worker | None = None) -> bool:
    """The full NIK: Admin kota for anyone, a Kepling for the workers of their own lingkungan."""
    if not has_right(user, Right.REVEAL_NIK):
        return False
    if effective_role(user) == Role.ADMIN_KOTA or worker is None:
        return True
    return bool(user.wilayah_id == worker.lingkungan_id)


def may_check_nik(user: Any) -> bool:
    return has_right(user, Right.CHECK_NIK)


def may_upload(user: Any, kind: str, node: Wilayah | None = None) -> bool:
    """Upload a file of this kind (`workers` or `payments`), optionally for one node."""
    right = {"workers": Right.UPLOAD_WORKERS, "payments": Right.UPLOAD_PAYMENTS}.get(str(kind))
    if right is None or not has_right(user, right):
        return False
    return node is None or in_area(user, node)


def may_see_all_import_jobs(user: Any) -> bool:
    return has_right(user, Right.SEE_ALL_IMPORT_JOBS)


def may_decide(user: Any, nodes: Iterable[Wilayah | None] = ()) -> bool:
    """Decide review cases at all, or (with `nodes`) one whose lingkungan all lie in the area."""
    return has_right(user, Right.DECIDE_QUEUES) and all_in_area(user, nodes)


def may_view_dashboards(user: Any) -> bool:
    return has_right(user, Right.VIEW_DASHBOARDS)


def may_view_reconciliation(user: Any) -> bool:
    return has_right(user, Right.VIEW_RECONCILIATION)


def may_reconcile(user: Any) -> bool:
    return has_right(user, Right.RECONCILE)


def may_view_unmatched_payments(user: Any) -> bool:
    return has_right(user, Right.VIEW_UNMATCHED_PAYMENTS)


def may_follow_up(user: Any) -> bool:
    return has_right(user, Right.FOLLOW_UP)


def may_view_escalations(user: Any) -> bool:
    return has_right(user, Right.VIEW_ESCALATIONS)


def may_publish_rankings(user: Any) -> bool:
    return has_right(user, Right.PUBLISH_RANKINGS)


def shows_full_nik_in_reports(user: Any) -> bool:
    return has_right(user, Right.FULL_NIK_IN_REPORTS)


def may_view_audit(user: Any) -> bool:
    return has_right(user, Right.VIEW_AUDIT)


def may_manage_accounts(user: Any, node: Wilayah | None = None) -> bool:
    """Manage accounts at all, or (with `node`) accounts bound to that node."""
    return has_right(user, Right.MANAGE_ACCOUNTS) and (node is None or in_area(user, node))


def may_handle_data_subject_requests(user: Any) -> bool:
    return has_right(user, Right.DATA_SUBJECT_REQUESTS)


def may_reset_kepling_passwords(user: Any) -> bool:
    return has_right(user, Right.RESET_KEPLING_PASSWORDS)


def may_reset_password_of(user: Any, kepling: User) -> bool:
    """A new one-time password for this Kepling: an account bound to a lingkungan of the user's area."""
    if not may_reset_kepling_passwords(user) or kepling.role != Role.KEPLING or kepling.wilayah is None:
        return False
    return in_area(user, kepling.wilayah)


def may_hand_over_lingkungan(user: Any) -> bool:
    return has_right(user, Right.HAND_OVER_LINGKUNGAN)


def may_manage_lingkungan(user: Any, node: Wilayah | None = None) -> bool:
    """Add, rename and set targets of lingkungan at all, or (with `node`) under that node."""
    return has_right(user, Right.MANAGE_LINGKUNGAN) and (node is None or in_area(user, node))


def may_manage_reminder_rules(user: Any) -> bool:
    return has_right(user, Right.MANAGE_REMINDER_RULES)


def may_manage_payment_channels(user: Any) -> bool:
    return has_right(user, Right.MANAGE_PAYMENT_CHANNELS)


def may_manage_account(user: Any, account: User) -> bool:
    """Change this account: Admin kota for anyone in their area, a superuser's account only by a superuser."""
    if not may_manage_accounts(user):
        return False
    if account.is_superuser and not getattr(user, "is_superuser", False):
        return False
    return account.wilayah is None or in_area(user, account.wilayah)


def may_credit(user: User | None, kepling: User) -> bool:
    """Whether `user` may credit this Kepling with a registration: only a Kepling of their own area.

    The command line (no user) may credit anyone; a Kepling's own node is their lingkungan, so a
    Kepling credits only themselves or another account bound to the same lingkungan.
    """
    if user is None:
        return True
    root = root_wilayah(user)
    if root is not None and root.level == KOTA:
        # City-wide writers (Admin kota) also credit a Kepling whose term has ended.
        return True
    return kepling.wilayah is not None and in_area(user, kepling.wilayah)


# The table in docs/security.md -----------------------------------------------------------------

ROLE_ORDER = (K, L, C, A, B, P)
ROLE_NAMES = {K: "Kepling", L: "Lurah", C: "Camat", A: "Admin kota", B: "Petugas BPJS", P: "Pimpinan"}


def rights_table() -> str:
    """The rights as a Markdown table, one row per right, one column per role."""
    header = "| right | covers | " + " | ".join(ROLE_NAMES[role] for role in ROLE_ORDER) + " |"
    lines = [header, "|" + "---|" * (len(ROLE_ORDER) + 2)]
    for right, grant in RIGHTS.items():
        marks = " | ".join("yes" if role in grant.roles else "-" for role in ROLE_ORDER)
        lines.append(f"| `{right.value}` | {grant.covers} | {marks} |")
    return "\n".join(lines)
