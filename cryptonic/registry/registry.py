"""The model registry over a store (:class:`~cryptonic.store.contract.ArtifactStore`): versions,
manifests, the champion.

Layout under the store root (the ``prefix`` of ``s3://bucket/prefix``)::

    <ticker>/versions/<version>/model.keras      full Keras model
    <ticker>/versions/<version>/model.tflite     serving model
    <ticker>/versions/<version>/forecast.json    the forecast made at publish time
    <ticker>/versions/<version>/prices.csv       the price snapshot it was trained on
    <ticker>/versions/<version>/manifest.json    written LAST: a version exists once this exists
    <ticker>/champion.json                       {version, promoted_at, history: [...]}
    <ticker>/prices.csv                          mirror of the champion's snapshot

Rules:

* Versions are immutable: every object of a version is written with ``If-None-Match: *``.
* ``manifest.json`` is written last and records ``sha256``/``bytes`` of every artifact, so a crash
  mid-publish leaves a folder but no version (every reader goes by the manifest), and every load
  is checked against it.
* ``champion.json`` is the only mutable object. It is swapped with a conditional write (``If-Match``
  on the ETag read, ``If-None-Match: *`` when there is none): of two concurrent promotions exactly
  one wins, the other gets :class:`ConflictError`.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import logging
import secrets
from collections.abc import Callable, Iterator, Mapping

from cryptonic.errors import (
    ConfigError,
    ConflictError,
    DamagedPointerError,
    IntegrityError,
    NoModelError,
    NotFoundError,
    StoreError,
)
from cryptonic.forecast.freshness import format_timestamp
from cryptonic.registry.champion import HISTORY_LIMIT, ChampionPointer, Promotion
from cryptonic.registry.keys import (
    MANIFEST_NAME,
    PRICES_NAME,
    VERSION_PATTERN,
    artifact_key,
    champion_key,
    check_artifact_name,
    check_ticker,
    check_version,
    prices_key,
    ticker_folder,
    versions_prefix,
)
from cryptonic.registry.manifest import ArtifactEntry, Manifest, ManifestDraft
from cryptonic.store.contract import ArtifactStore
from cryptonic.store.objects import load_json
from cryptonic.store.uri import open_store

__all__ = ["READ_NOW", "Registry", "new_version_id", "open_registry"]

log = logging.getLogger("cryptonic.registry")


class _ReadNow(enum.Enum):
    READ_NOW = "read-now"


READ_NOW = _ReadNow.READ_NOW
"""Default of ``promote(expected=...)``: compare against the champion as read at call time."""


def _utc(now: dt.datetime | None) -> dt.datetime:
    now = now or dt.datetime.now(dt.UTC)
    return now.replace(tzinfo=dt.UTC) if now.tzinfo is None else now.astimezone(dt.UTC)


def new_version_id(now: dt.datetime | None = None) -> str:
    """A new sortable version id: ``YYYYMMDDTHHMMSSZ-<7 random hex>`` in UTC.

    A naive ``now`` is taken as UTC.
    """
    return f"{_utc(now):%Y%m%dT%H%M%SZ}-{secrets.token_hex(4)[:7]}"


# --------------------------------------------------------------------------------------------
# Registry


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Registry:
    """Versions, manifests and the champion pointer of every ticker in one store."""

    def __init__(
        self,
        store: ArtifactStore,
        *,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.store = store
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))

    def __repr__(self) -> str:
        return f"Registry({self.store.uri!r})"

    def _where(self, key: str) -> str:
        return f"{self.store.uri.rstrip('/')}/{key}"

    # -- publishing

    def publish(
        self,
        ticker: str,
        version: str,
        artifacts: Mapping[str, bytes],
        draft: ManifestDraft,
    ) -> Manifest:
        """Write a new immutable version; ``manifest.json`` goes last. Returns the manifest.

        Every object is written with ``If-None-Match: *``: publishing a version id that exists
        (even partly, after a crash) raises :class:`ConflictError`.
        """
        ticker = check_ticker(ticker)
        check_version(version)
        if not artifacts:
            raise ConfigError(f"publish {ticker} {version}: no artifacts given")
        if check_ticker(draft.ticker) != ticker:
            raise ConfigError(f"publish {ticker} {version}: the draft is of {draft.ticker}")
        blobs = {check_artifact_name(name): bytes(data) for name, data in artifacts.items()}
        fields = draft.model_dump(exclude_unset=True)
        fields["created_at"] = draft.created_at or format_timestamp(self._clock())
        manifest = Manifest(
            **fields,
            version=version,
            artifacts={
                name: ArtifactEntry(sha256=_sha256(data), bytes=len(data))
                for name, data in sorted(blobs.items())
            },
        )
        try:
            manifest_bytes = manifest.to_json_bytes()
        except (TypeError, ValueError) as exc:
            raise ConfigError(
                f"manifest of {ticker} {version} is not JSON-serializable: {exc}"
            ) from exc

        for name, data in sorted(blobs.items()):
            self._create(ticker, version, name, data, _content_type(name))
        self._create(ticker, version, MANIFEST_NAME, manifest_bytes, "application/json")
        log.info("published %s %s (%d artifacts)", ticker, version, len(blobs))
        return manifest

    def _create(self, ticker: str, version: str, name: str, data: bytes, ctype: str) -> None:
        key = artifact_key(ticker, version, name)
        try:
            self.store.put_bytes(key, data, if_none_match="*", content_type=ctype)
        except ConflictError as exc:
            raise ConflictError(
                f"version {version} of {ticker} already exists ({name} is there): versions are "
                "immutable, publish under a new version id (see new_version_id())"
            ) from exc

    # -- reading versions

    def manifest(self, ticker: str, version: str) -> Manifest:
        """The manifest of one published version (:class:`NotFoundError` if it has none)."""
        ticker = check_ticker(ticker)
        key = artifact_key(ticker, version, MANIFEST_NAME)
        try:
            data = self.store.get_json(key)
        except NotFoundError as exc:
            raise NotFoundError(
                f"version {version} of {ticker} not found in {self.store.uri}"
            ) from exc
        manifest = Manifest.parse(data, self._where(key))
        if manifest.version != version:
            raise IntegrityError(
                f"{self._where(key)} names version {manifest.version!r}, not {version}"
            )
        return manifest

    def exists(self, ticker: str, version: str) -> bool:
        """Whether a version is published (its manifest exists)."""
        return self.store.exists(artifact_key(ticker, version, MANIFEST_NAME))

    def load_artifact(
        self,
        ticker: str,
        version: str,
        name: str,
        *,
        manifest: Manifest | None = None,
    ) -> bytes:
        """An artifact's bytes, checked against the manifest's sha256 and size.

        A mismatch raises :class:`IntegrityError` and returns nothing. Pass the ``manifest``
        already read (manifests are immutable) to load several artifacts with one manifest GET:
        the serving cold start reads three.
        """
        ticker = check_ticker(ticker)
        check_artifact_name(name)
        if manifest is None:
            manifest = self.manifest(ticker, version)
        return self._verified(ticker, version, name, manifest)

    def _verified(self, ticker: str, version: str, name: str, manifest: Manifest) -> bytes:
        entry = manifest.artifacts.get(name)
        if entry is None:
            raise NotFoundError(
                f"version {version} of {ticker} has no artifact {name!r} "
                f"(it has {', '.join(sorted(manifest.artifacts)) or 'none'})"
            )
        key = artifact_key(ticker, version, name)
        try:
            data = self.store.get_bytes(key)
        except NotFoundError as exc:
            raise IntegrityError(
                f"{name} of {ticker} version {version} is listed in its manifest but missing "
                f"from the store ({self._where(key)})"
            ) from exc
        digest = _sha256(data)
        if digest != entry.sha256 or len(data) != entry.bytes:
            raise IntegrityError(
                f"{name} of {ticker} version {version} is corrupt: sha256 {digest[:12]}... "
                f"({len(data)} bytes) does not match the manifest's {entry.sha256[:12]}... "
                f"({entry.bytes} bytes)"
            )
        return data

    def version_ids(self, ticker: str) -> list[str]:
        """Ids of the versions of ``ticker``, newest first: one delimiter listing of its
        ``versions/`` (one request per 1,000 versions, whatever each holds), no GET.

        A folder is listed as soon as its first artifact is written, so a version whose publish
        crashed before its manifest is listed too; it is no version, and every reader finds out
        by its manifest: :meth:`manifest` raises NotFoundError, :meth:`manifests` logs and skips
        it (the refresh's shadows, the retrain's skip check and the CLI read through it), the
        API's version pages skip a version whose manifest they cannot read, and :meth:`exists`,
        :meth:`promote` and :meth:`resolve_version` ask for the manifest itself.
        """
        prefix = versions_prefix(ticker)
        names = (folder[len(prefix) : -1] for folder in self.store.list_folder(prefix).folders)
        return sorted((name for name in names if VERSION_PATTERN.match(name)), reverse=True)

    def manifests(self, ticker: str) -> Iterator[Manifest]:
        """Manifests of every published version, newest first, read one at a time as iterated
        (stop early to read fewer). A version folder without a manifest (a publish that did not
        finish) is skipped; an unreadable manifest is logged and skipped."""
        ticker = check_ticker(ticker)
        for version in self.version_ids(ticker):
            try:
                yield self.manifest(ticker, version)
            except NotFoundError:
                log.info(
                    "skipping %s %s: no manifest (its publish did not finish)", ticker, version
                )
            except IntegrityError as exc:
                log.warning("skipping %s %s: %s", ticker, version, exc)

    def tickers(self) -> list[str]:
        """Tickers with a folder at the store's root, sorted: one delimiter listing of the root
        (one request per 1,000 tickers), whatever their versions, forecast logs and the run
        ledgers hold.

        A ticker's folder appears with the first object written under it: its first version's
        first artifact (so a ticker whose only publish crashed is listed, without a champion),
        or a champion pointer. The root's other folders (``forecasts/``, ``runs/``) are lower
        case, and a folder is a ticker only if its name is a ticker as normalized.
        """
        return sorted(
            name
            for folder in self.store.list_folder("").folders
            if _is_ticker(name := folder.removesuffix("/"))
        )

    def has_ticker(self, ticker: str) -> bool:
        """Whether ``ticker`` is in the store, as :meth:`tickers` would list it: one request
        whatever the store holds (what serving asks of a ticker it does not know).

        One delimiter listing of the ticker's folder, which holds at most its champion pointer,
        its price mirror and ``versions/``: one page. Not a HEAD of the champion pointer: on S3 a
        HEAD that finds nothing costs a second one, to tell a missing key from a missing bucket
        (a listing names a missing bucket in its answer), and a ticker whose versions the gate all
        turned down (a first model that failed its sanity check) has no pointer but is in the
        store all the same.
        """
        listing = self.store.list_folder(ticker_folder(ticker))
        return bool(listing.folders or listing.keys)

    def remove_unpublished(self, ticker: str, made_before: dt.datetime) -> list[str]:
        """Delete what a crashed publish left behind: the objects of every version of ``ticker``
        that has no manifest and whose id was made before ``made_before``. A version whose
        manifest exists is never touched (checked again just before its objects go). One LIST
        of the ticker's versions; returns the keys deleted."""
        ticker = check_ticker(ticker)
        cutoff = _utc(made_before)
        found: dict[str, list[str]] = {}
        for key in self.store.list(f"{ticker}/versions/"):
            parts = key.split("/")
            if len(parts) == 4 and VERSION_PATTERN.match(parts[2]):
                found.setdefault(parts[2], []).append(key)
        removed: list[str] = []
        for version, keys in sorted(found.items()):
            made = dt.datetime.strptime(version[:16], "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
            published = any(k.endswith(f"/{MANIFEST_NAME}") for k in keys)
            if published or made >= cutoff or self.exists(ticker, version):
                continue
            for key in keys:
                self.store.delete(key)
            removed.extend(keys)
            log.warning(
                "removed %s %s: published without a manifest (%s)",
                ticker,
                version,
                ", ".join(k.rsplit("/", 1)[-1] for k in keys),
            )
        return removed

    # -- champion pointer

    def champion(self, ticker: str) -> ChampionPointer | None:
        """The current champion pointer with its ETag, or ``None`` when there is none yet."""
        ticker = check_ticker(ticker)
        key = champion_key(ticker)
        try:
            data, etag = self.store.get_with_etag(key)
        except NotFoundError:
            return None
        try:
            value = load_json(data, self._where(key))
            return ChampionPointer.read(value, self._where(key), ticker=ticker, etag=etag)
        except IntegrityError as exc:
            raise DamagedPointerError(_repairable(str(exc), ticker), etag) from exc

    def champion_etag(self, ticker: str) -> str | None:
        """The champion pointer's ETag (one HEAD): poll this, re-read when it changes."""
        try:
            return self.store.head(champion_key(ticker)).etag
        except NotFoundError:
            return None

    def promote(
        self,
        ticker: str,
        version: str,
        *,
        expected: ChampionPointer | _ReadNow | None = READ_NOW,
    ) -> ChampionPointer:
        """Make ``version`` the champion with a conditional swap of ``champion.json``.

        ``expected``: the pointer the caller compared against (``None``: "only if there is no
        champion yet"); by default the pointer as read now. If the champion changed in between,
        :class:`ConflictError` and nothing is written. Promoting the current champion is a no-op.
        """
        ticker = check_ticker(ticker)
        check_version(version)
        manifest = self.manifest(ticker, version)  # NotFoundError if not published
        read_now = isinstance(expected, _ReadNow)
        current = self.champion(ticker) if isinstance(expected, _ReadNow) else expected

        if current is not None and current.version == version:
            if not read_now and self.champion_etag(ticker) != current.etag:
                raise self._lost_race(ticker, version, current, "promoting")
            return current

        now = format_timestamp(self._clock())
        history: tuple[Promotion, ...] = ()
        if current is not None:
            former = Promotion(version=current.version, promoted_at=current.promoted_at)
            history = (former, *current.history)
        pointer = ChampionPointer(
            ticker=ticker, version=version, promoted_at=now, history=history[:HISTORY_LIMIT]
        )
        written = self._swap(ticker, version, pointer, current, "promoting")
        self._mirror_prices(ticker, version, manifest)
        log.info(
            "promoted %s %s (previous: %s)", ticker, version, current.version if current else None
        )
        return written

    def replace_damaged(self, ticker: str, version: str, damaged: str) -> ChampionPointer:
        """``version`` as the champion over the pointer that could not be read, whose ETag was
        ``damaged`` (:class:`DamagedPointerError`): a conditional write on it, so a pointer
        someone repaired meanwhile is never replaced (:class:`ConflictError`). Its history is
        lost: an operator's repair, never a job's."""
        ticker = check_ticker(ticker)
        manifest = self.manifest(ticker, check_version(version))
        key = champion_key(ticker)
        pointer = ChampionPointer(
            ticker=ticker, version=version, promoted_at=format_timestamp(self._clock())
        )
        try:
            etag = self.store.put_json(key, pointer.to_json(), if_match=damaged)
        except ConflictError as exc:
            raise ConflictError(
                f"{self._where(key)} changed since it was found damaged: nothing replaced; "
                "read it again"
            ) from exc
        self._mirror_prices(ticker, version, manifest)
        log.warning("replaced the damaged champion pointer of %s with %s", ticker, version)
        return pointer.with_etag(etag)

    def rollback(self, ticker: str) -> ChampionPointer:
        """Move the champion back to the previous one in its history (conditional swap)."""
        ticker = check_ticker(ticker)
        current = self.champion(ticker)
        if current is None:
            raise NoModelError(f"no champion of {ticker} yet: nothing to roll back")
        if not current.history:
            undo = current.rolled_back_from
            raise NotFoundError(
                f"no previous champion to roll back to: {current.version} is the oldest in "
                f"{ticker}'s champion history"
                + (f" (a rollback from {undo}: promoting {undo} undoes it)" if undo else "")
            )
        target = current.history[0]
        manifest = self.manifest(ticker, target.version)
        pointer = ChampionPointer(
            ticker=ticker,
            version=target.version,
            promoted_at=format_timestamp(self._clock()),
            history=current.history[1:],
            rolled_back_from=current.version,
        )
        written = self._swap(ticker, target.version, pointer, current, "rolling back to")
        self._mirror_prices(ticker, target.version, manifest)
        log.info("rolled back %s from %s to %s", ticker, current.version, target.version)
        return written

    def _swap(
        self,
        ticker: str,
        version: str,
        pointer: ChampionPointer,
        current: ChampionPointer | None,
        doing: str,
    ) -> ChampionPointer:
        key = champion_key(ticker)
        try:
            if current is None:
                etag = self.store.put_json(key, pointer.to_json(), if_none_match="*")
            else:
                etag = self.store.put_json(key, pointer.to_json(), if_match=current.etag)
        except ConflictError as exc:
            raise self._lost_race(ticker, version, current, doing) from exc
        return pointer.with_etag(etag)

    @staticmethod
    def _lost_race(
        ticker: str, version: str, current: ChampionPointer | None, doing: str
    ) -> ConflictError:
        was = f"champion {current.version}" if current else "no champion"
        return ConflictError(
            f"champion of {ticker} changed while {doing} {version}: another promotion won "
            f"(expected {was}); read the champion again and retry if still wanted"
        )

    def _mirror_prices(self, ticker: str, version: str, manifest: Manifest) -> None:
        """Copy the new champion's prices.csv to ``<ticker>/prices.csv`` (best effort).

        The pointer is the truth; the mirror is a convenience for readers that want the champion's
        snapshot in one GET. A failure here is logged, not raised: the promotion has happened.
        """
        if PRICES_NAME not in manifest.artifacts:
            return
        try:
            data = self._verified(ticker, version, PRICES_NAME, manifest)
            self.store.put_bytes(prices_key(ticker), data, content_type="text/csv")
        except StoreError as exc:
            log.warning("could not mirror prices.csv of %s %s: %s", ticker, version, exc)

    def resolve_version(self, ticker: str, pinned: str | None = None) -> str:
        """The version to serve ``ticker``: the one ``pinned`` (``MODEL_VERSION``/``MODEL_NAME``:
        TICKER=VERSION pairs or one bare id, :class:`~cryptonic.config.VersionPins`) pins it to,
        else the champion; :class:`NoModelError` when there is neither.

        A pair's version must be published (:class:`NotFoundError` otherwise); a bare id pins the
        ticker only if it has published it (one HEAD of its manifest)."""
        from cryptonic.config import VersionPins  # the registry reads no other setting

        ticker = check_ticker(ticker)
        try:
            pins = VersionPins.read(pinned)
        except ValueError as exc:
            raise ConfigError(str(exc)) from exc
        named = pins.by_ticker.get(ticker)
        if named is not None:
            if not self.exists(ticker, _pinned(named)):
                raise NotFoundError(
                    f"pinned model version {named} (MODEL_VERSION) of {ticker} not found in "
                    f"{self.store.uri}: unset it or pick one from `cryptonic models list "
                    f"--ticker {ticker}`"
                )
            return named
        bare = pins.version_for(ticker, lambda v: self.exists(ticker, _pinned(v)))
        if bare is not None:
            return bare
        pointer = self.champion(ticker)
        if pointer is None:
            raise NoModelError(
                f"no model for {ticker} yet: run `cryptonic retrain --ticker {ticker}` "
                "(or invoke the retrain function)"
            )
        return pointer.version


def _is_ticker(name: str) -> bool:
    """Whether a folder at the root is a ticker's: its name is a ticker, already normalized."""
    try:
        return check_ticker(name) == name
    except ConfigError:
        return False


def _content_type(name: str) -> str:
    if name.endswith(".json"):
        return "application/json"
    if name.endswith(".csv"):
        return "text/csv"
    return "application/octet-stream"


def open_registry(uri: str | None = None, *, read_only: bool = False) -> Registry:
    """A registry over :func:`cryptonic.store.uri.open_store` (``None``: the local default)."""
    return Registry(open_store(uri, read_only=read_only))


def _pinned(version: str) -> str:
    """A pinned version id, checked; a malformed one names the setting it came from."""
    try:
        return check_version(version)
    except ConfigError as exc:
        raise ConfigError(f"MODEL_VERSION: {exc}") from exc


def _repairable(why: str, ticker: str) -> str:
    """A damaged champion pointer's error, with the one command that repairs it."""
    return (
        f"{why}; `cryptonic models promote VERSION --ticker {ticker}` replaces it (its history "
        "of earlier champions is lost)"
    )
