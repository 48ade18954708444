"""`Column` and `relationship` for the declarative models, as the type checker should see them.

SQLAlchemy 1.4 checks `name: Mapped[str] = Column(String)` only through its mypy plugin, which works with mypy up
to 1.10 and reports wrong nullability with the mypy this project pins. So for mypy a column or relationship is
Any, and each model's `Mapped[...]` annotation is the type code using the model is checked against. At run time
these are SQLAlchemy's own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:

    def Column(*args: Any, **kwargs: Any) -> Any: ...

    def relationship(*args: Any, **kwargs: Any) -> Any: ...
else:
    from sqlalchemy import Column
    from sqlalchemy.orm import relationship

__all__ = ["Column", "relationship"]
