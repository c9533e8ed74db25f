"""The retrain's skip check: is there already a published verdict on this training?

A training is named by its price snapshot (the sha256 of the ``prices.csv`` it publishes) and its
run config (``manifest_draft.run_config``). Training it again would publish a near copy of a version
that exists, so a plain run skips when

* the champion is that training (the weekly job found no new data), or
* the newest published version of that training is a challenger the gate turned down against
  the champion serving now: a rerun after a timeout, or Lambda's retry of an invocation in which
  another ticker failed, must not retrain and re-reject every ticker that already finished.

It does not skip for a version of that training the gate wanted to promote but that is not the
champion (its run died before the pointer moved, lost a promotion race, or was rolled back from),
nor for one rejected against a champion that has since changed: those verdicts no longer describe
what serves, so a fresh challenger is trained and gated. ``force`` bypasses the check altogether.

The strategy is not part of the name, as it never was for the champion: ``continue`` on the data
the champion was trained on repeats its training, and the manifest records only the strategy
really used (``continue`` may fall back to ``new``), not the one a rerun would ask for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from cryptonic.registry.manifest import Manifest, RunConfig


@dataclass(frozen=True)
class Training:
    """What a retrain is about to train: the snapshot it read and the config it would use."""

    data_sha256: str
    data_end: str
    config: RunConfig

    def made(self, manifest: Manifest) -> bool:
        """Whether a published version is this training (same snapshot, same config)."""
        return manifest.data.sha256 == self.data_sha256 and manifest.config == self.config


def skip_reason(
    training: Training,
    champion: Manifest | None,
    published: Callable[[], Iterable[Manifest]],
) -> str | None:
    """Why ``training`` need not run (None: run it); the reason names the version that decided.

    ``champion`` is the serving champion's manifest. ``published`` yields manifests newest first
    (``Registry.manifests``, which reads one manifest per step): it is only called when the
    champion is not itself this training, and read only up to the newest version of it.
    """
    if champion is not None and training.made(champion):
        return (
            f"no new data: champion {champion.version} was trained on data to "
            f"{training.data_end} with the same config (use force to retrain)"
        )
    latest = next((m for m in published() if training.made(m)), None)
    if latest is None or latest.gate is None or not _rejected_against(latest, champion):
        return None
    against = f"champion {champion.version}" if champion else "no champion"
    return (
        f"no new data: version {latest.version} was already trained on data to "
        f"{training.data_end} with the same config and not promoted against {against} "
        f"({latest.gate.reason or 'no reason recorded'}) (use force to retrain)"
    )


def _rejected_against(version: Manifest, champion: Manifest | None) -> bool:
    """The gate turned ``version`` down, and it was compared with the champion serving now."""
    judged_against = champion.version if champion else None
    return (
        version.gate is not None
        and version.gate.promote is False
        and version.parent == judged_against
    )
