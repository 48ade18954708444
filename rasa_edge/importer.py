"""Rasa reads the domain from two files: domain.yml, written by hand, and beside it domain.screening.yml, generated
from the question definitions by `iop-intake domain` (bot/domain.py).

Rasa's `--domain` takes one path, a file or a whole directory; this importer, named in config.yml, adds the
generated file to whichever domain.yml Rasa is given, so `rasa train`, `rasa data validate` and the rest read both
with no extra argument. A missing generated file fails loudly instead of training a model without the form.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional, Union

from rasa.shared.core.domain import Domain
from rasa.shared.importers.rasa import RasaFileImporter

from bot.domain import FILE_NAME


def load_domain(path: Union[str, Path]) -> Domain:
    """The whole domain: the hand-written file at `path` merged with the generated file beside it."""
    path = Path(path)
    # The generated file first: Rasa's merge lists the later file's slots and responses first, so the
    # hand-written ones lead, in the order the models were trained with when both sat in domain/.
    return Domain.load([str(path.with_name(FILE_NAME)), str(path)])


class SplitDomainImporter(RasaFileImporter):
    """Rasa's own file importer (config, NLU data, rules, stories), with the domain read by `load_domain`."""

    def __init__(
        self,
        config_file: Optional[str] = None,
        domain_path: Optional[str] = None,
        training_data_paths: Optional[Union[list[str], str]] = None,
    ) -> None:
        super().__init__(config_file, domain_path, training_data_paths)
        self.domain_file = domain_path

    def get_domain(self) -> Domain:
        # No domain given (e.g. `rasa train nlu`): empty, as with Rasa's importer.
        return load_domain(self.domain_file) if self.domain_file else Domain.empty()
