"""Who may correct, withdraw, reinstate or move a worker: asked by the views, templates and actions.

Kept in one module so that a central permissions module can take these rules over unchanged.
Each function answers for a worker the user can already see (the scoping chokepoint decides that).
"""

from __future__ import annotations

from kepling.accounts.models import Role, User
from kepling.workers.models import Worker

# Area heads and the city may correct any worker of their area; a Kepling only the workers credited to them.
AREA_CORRECTORS = frozenset({Role.LURAH, Role.CAMAT, Role.ADMIN_KOTA})
MOVERS = frozenset({Role.LURAH, Role.ADMIN_KOTA})


def _role(user: User) -> str:
    return Role.ADMIN_KOTA if user.is_superuser else str(user.role)


def may_correct_worker(user: User, worker: Worker) -> bool:
    """Contact details, name, income, program, sector and payer: the crediting Kepling, area heads, the city."""
    role = _role(user)
    if role in AREA_CORRECTORS:
        return True
    return role == Role.KEPLING and worker.credited_kepling_id == user.pk


def may_withdraw_worker(user: User, worker: Worker) -> bool:
    """Withdrawal and reinstatement: whoever may correct the worker."""
    return may_correct_worker(user, worker)


def may_move_worker(user: User, worker: Worker) -> bool:
    """Moving a worker to another lingkungan: the Lurah or the city administrator."""
    return _role(user) in MOVERS
