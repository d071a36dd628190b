"""Redis state shared by several crawler processes/machines (``--state redis://HOST:PORT/DB``).

Keys live under ``<namespace>:`` : ``url:<key>`` and ``hash:<sha256>`` -> article id,
``art:<id>`` hash (url, source, cluster, keys), ``pub:<file>``, ``nd:*`` (neardup_redis),
``bp:*`` (boilerplate line counts), ``lease:<worker>``, ``workers``, ``pending:<worker>``,
``frontier:*`` (crawler.redis_frontier).

Crash safety (the SQLite store's publish-then-commit, for many workers):

* every key a worker writes is listed in its ``pending:<worker>`` set at the same atomic
  step; pending decisions are visible to all workers at once (so two workers never keep
  the same story), and ``commit()`` (called by the export stage *after* the output file
  is published) just deletes that set: the decisions become permanent;
* a worker holds ``lease:<worker>`` ("host pid start"), refreshed by a heartbeat thread;
* start-up recovery (and the heartbeat's reaper) rolls back the pending set of every
  worker whose lease has expired, or of this very worker name when its previous process
  on this host is dead, and re-queues its in-flight article requests; a published but
  uncommitted file is then re-ingested by ``pipelines.recovery`` as with SQLite.

So a killed worker loses nothing (its uncommitted articles are no longer "seen" and are
fetched again) and emits nothing twice (its published files stay committed).
Retention: ``evict()`` sets a TTL on everything written afterwards and sweeps older
articles and signatures. Transient connection errors are retried with backoff.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from typing import TYPE_CHECKING, Any

import redis
from redis.backoff import ExponentialBackoff, NoBackoff
from redis.retry import Retry

from pipelines.lock import LockHeld
from pipelines.neardup_redis import DROP_SCRIPT, INSERT_SCRIPT, RedisNearDupIndex, text
from pipelines.state import KeptArticle, StateError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Set

    from pipelines.minhash import NearDupConfig, Signature
    from pipelines.neardup import Match

logger = logging.getLogger(__name__)

LEASE_SECONDS = 30.0
ORPHAN_GRACE = 3600.0  # a worker that died mid-publish is rolled back by others after this
_TRANSIENT = (redis.ConnectionError, redis.TimeoutError)

_ROLLBACK = (
    "local p, pending = ARGV[1], ARGV[1] .. 'pending:' .. ARGV[2]\n"
    "local docs = {}\n"
    "for _, m in ipairs(redis.call('SMEMBERS', pending)) do\n"
    "  local rest = string.sub(m, 3)\n"
    "  if string.sub(m, 1, 1) == 'k' then\n"
    "    redis.call('DEL', rest); redis.call('ZREM', p .. 'objs', rest)\n"
    "  else docs[#docs + 1] = rest end\n"
    "end\n"
    "redis.call('DEL', pending)\n"
    "return docs\n"
)
_CAS = (
    "if redis.call('GET', KEYS[1]) == ARGV[1] then\n"
    "  return redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) and 1 or 0 end\n"
    "return 0\n"
)
_EVICT = (
    "local p, n = ARGV[1], 0\n"
    "for _, key in ipairs(redis.call('ZRANGEBYSCORE', p .. 'objs', '-inf', '(' .. ARGV[2])) do\n"
    "  for k in string.gmatch(redis.call('HGET', key, 'keys') or '', '[^ ]+') do\n"
    "    redis.call('DEL', k) end\n"
    "  redis.call('DEL', key); redis.call('ZREM', p .. 'objs', key); n = n + 1\n"
    "end\n"
    "return n\n"
)


class RedisStateError(StateError):
    """Redis cannot be reached or refused a command."""


def connect(url: str) -> redis.Redis:
    """A client that retries transient errors with exponential backoff (about 15 s in all)."""
    client = redis.Redis.from_url(
        url,
        retry=Retry(ExponentialBackoff(cap=1.0, base=0.1), retries=3),  # start-up: fail fast
        retry_on_error=[redis.ConnectionError, redis.TimeoutError],
        socket_timeout=10,
        socket_connect_timeout=5,
        health_check_interval=30,
    )
    try:
        client.ping()
    except redis.RedisError as exc:
        raise RedisStateError(f"cannot reach the Redis state at {url}: {exc}") from exc
    client.set_retry(Retry(ExponentialBackoff(cap=4.0, base=0.1), retries=8))
    return client


def open_redis_state(
    url: str,
    namespace: str,
    near_dup_config: NearDupConfig,
    worker: str,
    lease_seconds: float = LEASE_SECONDS,
) -> RedisState:
    """Connect, take the worker's lease, recover dead workers, and return the store."""
    return RedisState(connect(url), namespace, near_dup_config, worker, lease_seconds)


class RedisState:
    """StateStore in Redis; every write is pending until ``commit()``."""

    def __init__(
        self,
        client: redis.Redis,
        namespace: str,
        near_dup_config: NearDupConfig,
        worker: str,
        lease_seconds: float = LEASE_SECONDS,
    ) -> None:
        self.client = client
        self.prefix = f"{namespace}:"
        self.worker = worker
        self.near_dup_config = near_dup_config
        self.lease = WorkerLease(client, self.prefix, worker, lease_seconds)
        self.requeue: Callable[[str], int] | None = None  # set by crawler.redis_frontier
        self.hold_lease = False  # the frontier releases the worker after the pipelines close
        self._publishing = f"{self.prefix}publishing:{worker}"
        self._deferred: str | None = None  # file a killed earlier run was publishing
        self._insert = client.register_script(INSERT_SCRIPT)
        self._guarded(self.lease.acquire)
        try:
            self.near_dup = RedisNearDupIndex(client, near_dup_config, self.prefix, worker)
            self.line_counts = RedisLineCounts(client, self.prefix)
            self._recover_own()
            self.recover_dead_workers()
        except ValueError as exc:
            self.lease.release()
            raise StateError(f"Redis state {namespace}: {exc}") from exc
        except redis.RedisError as exc:
            self.lease.release()
            raise RedisStateError(f"Redis state error: {exc}") from exc
        self.lease.start_heartbeat(self.recover_dead_workers)

    def _guarded(self, call: Callable[[], Any]) -> Any:
        """Run CALL, turning Redis errors into a clear RedisStateError."""
        try:
            return call()
        except redis.RedisError as exc:
            raise RedisStateError(f"Redis state error: {exc}") from exc

    def article_for_url_keys(self, keys: list[str]) -> str | None:
        """The id of a kept (or pending) article known under any of KEYS."""
        if not keys:
            return None
        found = self.client.mget([f"{self.prefix}url:{k}" for k in keys])
        return next((text(v) for v in found if v), None)

    def article_for_hash(self, content_hash: str) -> str | None:
        """The id of a kept article with exactly this normalised text."""
        found = self.client.get(f"{self.prefix}hash:{content_hash}")
        return text(found) if found else None

    def kept_article(self, article_id: str) -> KeptArticle | None:
        """The stored representative with ARTICLE_ID."""
        fields = self.client.hmget(f"{self.prefix}art:{article_id}", "url", "source", "cluster")
        if fields[0] is None:
            return None
        url, source, cluster = (text(f) if f else "" for f in fields)
        return KeptArticle(article_id, url, source, cluster)

    def _article_args(
        self, article: KeptArticle, url_keys: list[str], content_hash: str
    ) -> tuple[list[str], list[Any]]:
        """(guard keys, insert-script 'extra' args) recording ARTICLE."""
        keys = [f"{self.prefix}url:{k}" for k in url_keys] + [f"{self.prefix}hash:{content_hash}"]
        extra: list[Any] = [len(keys)]
        for key in keys:
            extra += [key, article.id]
        fields = {"url": article.url, "source": article.source, "cluster": article.cluster_id}
        fields["keys"] = " ".join(keys)
        extra += [len(fields), f"{self.prefix}art:{article.id}"]
        for name, value in fields.items():
            extra += [name, value]
        return keys, extra

    def remember(self, article: KeptArticle, url_keys: list[str], content_hash: str) -> None:
        """Record a kept article with its URL keys and text hash (pending)."""
        _, extra = self._article_args(article, url_keys, content_hash)
        self._run_insert(article.id, extra)

    def claim(
        self, article: KeptArticle, url_keys: list[str], content_hash: str, sig: Signature
    ) -> tuple[str, str, float] | None:
        """Atomically keep ARTICLE unless a duplicate was kept first (by any worker).

        Returns None when kept, else (reason, kept article id, similarity).
        """
        return self.claim_many([(article, url_keys, content_hash, sig)])[0]

    def claim_many(
        self, entries: list[tuple[KeptArticle, list[str], str, Signature]]
    ) -> list[tuple[str, str, float] | None]:
        """claim() for a batch, in two round trips: as if claimed one after another."""
        items = []
        for article, url_keys, content_hash, sig in entries:
            guards, extra = self._article_args(article, url_keys, content_hash)
            items.append((article.id, sig, guards, extra))
        won = self._guarded(lambda: self.near_dup.claim_many(items, time.time()))
        return [self._verdict(w) for w in won]

    def _verdict(self, won: Match | tuple[str, str] | None) -> tuple[str, str, float] | None:
        """(reason, kept id, similarity) of a lost claim."""
        if won is None:
            return None
        if isinstance(won, tuple):
            reason = "exact" if won[0].startswith(f"{self.prefix}hash:") else "url"
            return reason, won[1], 1.0
        return won.reason, won.doc_id, won.similarity

    def remember_urls(self, url_keys: list[str], article_id: str) -> None:
        """Map more URL keys (a duplicate's) to a kept article (pending; existing keys kept)."""
        extra: list[Any] = [len(url_keys)]
        for key in url_keys:
            extra += [f"{self.prefix}url:{key}", article_id]
        self._run_insert(article_id, [*extra, 0])

    def prepare_publish(self, name: str) -> None:
        """Mark that file NAME is about to be renamed into place (call before the rename)."""
        self._guarded(lambda: self.client.set(self._publishing, name))

    def record_published(self, name: str) -> None:
        """Note that output file NAME was renamed into place, and commit (its data is safe)."""
        self._resolve_deferred(name)
        self._run_insert(name, [1, f"{self.prefix}pub:{name}", str(time.time()), 0])
        self.commit()

    def _recover_own(self) -> None:
        """Undo a killed earlier run of this worker; defer if it died while publishing."""
        pending = f"{self.prefix}pending:{self.worker}"
        self.client.delete(f"{self.prefix}deadsince:{self.worker}")
        if name := self.client.get(self._publishing):
            self._deferred = text(name)  # kept until recovery shows whether it was renamed
            if self.client.exists(pending):
                self.client.rename(pending, pending + ":deferred")
            logger.warning("worker %s died publishing %s: recovery decides", self.worker, name)
        elif undone := self.rollback(self.worker):
            logger.warning(
                "undid %d uncommitted entries of a killed run of %s", undone, self.worker
            )

    def _resolve_deferred(self, published: str | None) -> None:
        """At the first file recorded: keep the deferred writes if it is theirs, else undo them.

        Start-up recovery re-records the file a killed run renamed but did not record.
        """
        if self._deferred is None:
            return
        deferred = f"{self.worker}:deferred"
        if published == self._deferred:
            self.client.delete(f"{self.prefix}pending:{deferred}")
        else:
            self.rollback(deferred)
        self._deferred = None

    def _run_insert(self, doc_id: str, extra: list[Any]) -> None:
        """Run the insert script with no guards and no signature."""
        now, ttl = time.time(), self.near_dup.ttl_ms
        args = [self.prefix, self.worker, now, ttl, doc_id, "", 1, 0, "", "", *extra, ""]
        self._insert(args=args)

    def is_published(self, name: str) -> bool:
        """Tell whether output file NAME is already accounted for in the state."""
        return bool(self.client.exists(f"{self.prefix}pub:{name}"))

    def evict(self, older_than: float) -> dict[str, int]:
        """Set the TTL to the retention window and forget articles/signatures older than it."""
        self.near_dup.ttl_ms = max(1, int((time.time() - older_than) * 1000))
        articles = int(self.client.eval(_EVICT, 0, self.prefix, older_than))
        return {"articles": articles, "signatures": self.near_dup.evict(older_than)}

    def sizes(self) -> dict[str, int]:
        """Entry counts for the run summary."""
        return {
            "articles": int(self.client.zcard(f"{self.prefix}objs")),
            "signatures": self.near_dup.size(),
            "workers": int(self.client.scard(f"{self.prefix}workers")),
        }

    def commit(self) -> None:
        """Make this worker's pending decisions permanent (its output is published)."""
        pending = f"{self.prefix}pending:{self.worker}"
        self._guarded(lambda: self.client.delete(pending, self._publishing))

    def rollback(self, worker: str) -> int:
        """Undo WORKER's uncommitted writes; return how many articles/signatures were undone."""
        docs = [text(d) for d in self.client.eval(_ROLLBACK, 0, self.prefix, worker)]
        if docs:
            self.client.eval(DROP_SCRIPT, 0, self.prefix, *docs)
        return len(docs)

    def recover_dead_workers(self) -> list[str]:
        """Roll back and re-queue the work of every worker whose lease is gone."""
        recovered = []
        for worker in self.lease.dead_workers():
            if not self.lease.lock_reaping(worker) or self._publishing_recently(worker):
                continue
            undone = self.rollback(worker)
            requeued = self.requeue(worker) if self.requeue else 0
            self.client.srem(f"{self.prefix}workers", worker)
            logger.warning(
                "recovered dead worker %s: %d uncommitted entries undone, %d requests re-queued",
                worker,
                undone,
                requeued,
            )
            recovered.append(worker)
        return recovered

    def _publishing_recently(self, worker: str) -> bool:
        """True when WORKER died while publishing less than ORPHAN_GRACE ago: its restart decides.

        Only that worker's host can tell whether the file was renamed into place.
        """
        key = f"{self.prefix}publishing:{worker}"
        if not self.client.exists(key):
            return False
        self.client.set(f"{self.prefix}deadsince:{worker}", time.time(), nx=True)
        since = float(self.client.get(f"{self.prefix}deadsince:{worker}") or 0)
        if time.time() - since < ORPHAN_GRACE:
            return True
        self.client.delete(key, f"{self.prefix}deadsince:{worker}")
        return False

    def close(self) -> None:
        """Roll back anything uncommitted; release the worker unless the frontier holds it."""
        try:
            self._resolve_deferred(None)
            self.rollback(self.worker)
        except redis.RedisError as exc:
            logger.error("Redis state: could not roll back worker %s: %s", self.worker, exc)
        if not self.hold_lease:
            self.release()

    def fail_fast(self) -> None:
        """Stop retrying: Redis is gone for this run, so the shutdown should not wait on it."""
        self.client.set_retry(Retry(NoBackoff(), 0))

    def release(self) -> None:
        """Stop the heartbeat and give the worker name back."""
        try:
            self.lease.release()
        except redis.RedisError as exc:
            logger.error("Redis state: could not release worker %s: %s", self.worker, exc)
        finally:
            self.lease.stop_heartbeat()


class RedisLineCounts:
    """LineCountStore in Redis: per site a set of learned pages and a hash of line counts."""

    _ADD = (
        "if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end\n"
        "for i = 2, #ARGV do redis.call('HINCRBY', KEYS[2], ARGV[i], 1) end\n"
        "return 1\n"
    )

    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self.client = client
        self.prefix = prefix
        self._add = client.register_script(self._ADD)

    def has_page(self, site: str, page_key: str) -> bool:
        """True if the page was learned (by any worker)."""
        return bool(self.client.sismember(f"{self.prefix}bp:p:{site}", page_key))

    def add_page(self, site: str, page_key: str, hashes: Set[int]) -> None:
        """Record a page and count each of its line hashes once, even if two workers race."""
        keys = [f"{self.prefix}bp:p:{site}", f"{self.prefix}bp:l:{site}"]
        self._add(keys=keys, args=[page_key, *sorted(hashes)])

    def page_count(self, site: str) -> int:
        """Pages learned for the site."""
        return int(self.client.scard(f"{self.prefix}bp:p:{site}"))

    def line_counts(self, site: str, hashes: Iterable[int]) -> dict[int, int]:
        """Distinct-page counts of the given hashes (absent ones omitted)."""
        wanted = sorted(set(hashes))
        if not wanted:
            return {}
        found = self.client.hmget(f"{self.prefix}bp:l:{site}", [str(h) for h in wanted])
        return {h: int(n) for h, n in zip(wanted, found, strict=True) if n is not None}


class WorkerLease:
    """A worker name held by one live process: a Redis key with a TTL, kept alive by a thread."""

    def __init__(self, client: redis.Redis, prefix: str, worker: str, seconds: float) -> None:
        self.client = client
        self.prefix = prefix
        self.worker = worker
        self.key = f"{prefix}lease:{worker}"
        self.value = f"{socket.gethostname()} {os.getpid()} {time.time():.0f}"
        self.ms = int(seconds * 1000)
        self.healthy = True  # False once Redis could not be reached for a whole lease
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def acquire(self) -> None:
        """Take the worker name, or a dead local holder's; else raise LockHeld."""
        if not self.client.set(self.key, self.value, nx=True, px=self.ms):
            holder = text(self.client.get(self.key) or b"")
            if not (
                _dead_local(holder)
                and self.client.eval(_CAS, 1, self.key, holder, self.value, self.ms)
            ):
                raise LockHeld(f"another run holds worker {self.worker!r} ({_describe(holder)})")
            logger.warning(
                "took over worker %s from a dead run (%s)", self.worker, _describe(holder)
            )
        self.client.sadd(f"{self.prefix}workers", self.worker)

    def dead_workers(self) -> list[str]:
        """Registered workers (other than this one) whose lease has expired."""
        workers = [text(w) for w in self.client.smembers(f"{self.prefix}workers")]
        others = [w for w in workers if w != self.worker]
        pipe = self.client.pipeline(transaction=False)
        for worker in others:
            pipe.exists(f"{self.prefix}lease:{worker}")
        return [w for w, alive in zip(others, pipe.execute(), strict=True) if not alive]

    def lock_reaping(self, worker: str) -> bool:
        """True for the one live worker that gets to recover WORKER now."""
        return bool(
            self.client.set(f"{self.prefix}reap:{worker}", self.worker, nx=True, px=self.ms)
        )

    def start_heartbeat(self, reap: Callable[[], object]) -> None:
        """Refresh the lease every third of its length; recover dead workers once a lease."""
        self._thread = threading.Thread(target=self._beat, args=(reap,), daemon=True)
        self._thread.start()

    def _beat(self, reap: Callable[[], object]) -> None:
        """The heartbeat loop (own thread)."""
        last_ok = last_reap = time.monotonic()
        while not self._stop.wait(self.ms / 3000):
            try:
                if not self.client.eval(_CAS, 1, self.key, self.value, self.value, self.ms):
                    logger.error("lost the lease of worker %s (Redis restarted?)", self.worker)
                    self.healthy = False
                    continue
                last_ok = time.monotonic()
                if last_ok - last_reap > self.ms / 1000:
                    last_reap = last_ok
                    reap()
            except redis.RedisError as exc:
                logger.warning("Redis heartbeat failed: %s", exc)
                if time.monotonic() - last_ok > self.ms / 1000:
                    self.healthy = False

    def stop_heartbeat(self) -> None:
        """Stop the heartbeat thread."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def fail_fast(self) -> None:
        """Stop retrying: Redis is gone for this run, so the shutdown should not wait on it."""
        self.client.set_retry(Retry(NoBackoff(), 0))

    def release(self) -> None:
        """Give the worker name back (only if still ours)."""
        self.stop_heartbeat()
        self.client.eval(_CAS, 1, self.key, self.value, self.value, 1)
        self.client.srem(f"{self.prefix}workers", self.worker)


def _dead_local(holder: str) -> bool:
    """True when HOLDER ("host pid start") is a process of this host that no longer runs."""
    try:
        host, pid, _ = holder.split()
        if host != socket.gethostname():
            return False
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except (ValueError, PermissionError):
        return False
    return False


def _describe(holder: str) -> str:
    """'host H pid N since T' for messages."""
    try:
        host, pid, started = holder.split()
    except ValueError:
        return "unknown holder"
    since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(float(started)))
    return f"host {host} pid {pid} since {since}"


def default_worker() -> str:
    """The default worker name: this host's name (give each process on a host its own)."""
    return socket.gethostname() or f"pid{os.getpid()}"
