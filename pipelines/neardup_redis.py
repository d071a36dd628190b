"""Near-duplicate index in Redis, shared by every worker: same interface and verdicts as neardup.

Layout under ``<ns>:nd:``: ``doc:<id>`` hash (added, keeper, content, shingles, bands),
``b:<band key>`` set of doc ids, ``added`` zset (id -> time, for retention and size),
``recent`` zset (id -> insert sequence) + ``seq`` counter (furniture statistics).

Check-and-insert is atomic without holding a lock: ``claim`` reads the candidates of every
band (one Lua call), verifies them in Python with ``NearDupIndex``'s exact rules, then
commits with one Lua script that first re-reads the same band sets (and guard keys such
as URL and content-hash keys). If a doc id appeared that was not verified, another worker
inserted concurrently: nothing is written and the claim is retried, so the retry verifies
the newcomer. Scripts run atomically, so this is WATCH/MULTI/EXEC in two round trips.
Every written key is listed in the worker's pending set (see state_redis).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import numpy as np
from redis.exceptions import NoScriptError

from pipelines.neardup import Match, NearDupIndex, _CommonShingles

if TYPE_CHECKING:
    import redis

    from pipelines.minhash import NearDupConfig, Signature

log = logging.getLogger(__name__)

MAX_RETRIES = 20


def text(value: Any) -> str:
    """A Redis reply (bytes) as text."""
    return value.decode() if isinstance(value, bytes) else str(value)


_READ = """
local p, nwhole, maxc, last = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local ng = tonumber(ARGV[6])
for i = 7, 6 + ng do
  local v = redis.call('GET', ARGV[i])
  if v and v ~= ARGV[5] then return {'dup', v, ARGV[i]} end
end
local first = 7 + ng
local hits, via, order, bands = {}, {}, {}, {}
local idx = 0
for band in string.gmatch(ARGV[first], '[^,]+') do
  idx = idx + 1
  local members = redis.call('SMEMBERS', p .. 'nd:b:' .. band)
  bands[#bands + 1] = table.concat(members, ',')
  for _, m in ipairs(members) do
    if not hits[m] then hits[m] = 0; via[m] = 0; order[#order + 1] = m end
    hits[m] = hits[m] + 1
    if idx <= nwhole then via[m] = 1 end
  end
end
table.sort(order, function(a, b)
  if hits[a] ~= hits[b] then return hits[a] > hits[b] end
  return a < b end)
local docs = {}
for i = 1, math.min(#order, maxc) do
  local d = redis.call('HMGET', p .. 'nd:doc:' .. order[i], 'keeper', 'content', 'shingles')
  if d[3] then docs[#docs + 1] = {order[i], via[order[i]], d[1] or '', d[2], d[3]} end
end
local seq = tonumber(redis.call('GET', p .. 'nd:seq') or '0')
local recent = {}
if last >= 0 and seq > last and seq - last <= tonumber(ARGV[3]) * 50 then
  local ids = redis.call('ZRANGEBYSCORE', p .. 'nd:recent', '(' .. last, '+inf')
  for _, id in ipairs(ids) do
    local blob = redis.call('HGET', p .. 'nd:doc:' .. id, 'shingles') or ''
    recent[#recent + 1] = {id, blob, redis.call('ZSCORE', p .. 'nd:recent', id)}
  end
elseif last >= 0 and seq > last then
  recent = false
end
local ver = redis.call('GET', p .. 'nd:ver') or '0'
return {docs, seq, recent, table.concat(bands, ';'), ver}
"""

INSERT_SCRIPT = """
local p, worker, now, ttl = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local id, keeper, window = ARGV[5], ARGV[6], tonumber(ARGV[7])
local i = 8
local function nxt() i = i + 1; return ARGV[i - 1] end
local nguard = tonumber(nxt())
for _ = 1, nguard do
  local v = redis.call('GET', nxt())
  if v and v ~= id then
    redis.call('INCR', p .. 'nd:ver')  -- every attempt counts: callers predict the version
    return {'dup', v, ARGV[i - 1]}
  end
end
local ver, expect = nxt(), nxt()
if ver == '' or (redis.call('GET', p .. 'nd:ver') or '0') ~= ver then
  for entry in string.gmatch(expect, '[^;]+') do
    local key, list = string.match(entry, '^([^=]*)=(.*)$')
    local seen = {}
    for m in string.gmatch(list, '[^,]+') do seen[m] = true end
    for _, m in ipairs(redis.call('SMEMBERS', p .. 'nd:b:' .. key)) do
      if not seen[m] and m ~= id then
        redis.call('INCR', p .. 'nd:ver')
        return {'retry'}
      end
    end
  end
end
local pending = p .. 'pending:' .. worker
local nset = tonumber(nxt())
for _ = 1, nset do
  local key, value = nxt(), nxt()
  local ok = redis.call('SET', key, value, 'NX')
  if ttl > 0 then redis.call('PEXPIRE', key, ttl) end
  if ok then redis.call('SADD', pending, 'k:' .. key) end
end
local nhash = tonumber(nxt())
if nhash > 0 then
  local key = nxt()
  for _ = 1, nhash do redis.call('HSET', key, nxt(), nxt()) end
  if ttl > 0 then redis.call('PEXPIRE', key, ttl) end
  redis.call('SADD', pending, 'k:' .. key)
  redis.call('ZADD', p .. 'objs', now, key)
end
local bands = nxt()
if bands == '' then return {'ok', 0} end
local doc = p .. 'nd:doc:' .. id
redis.call('HSET', doc, 'added', now, 'keeper', keeper, 'content', nxt(), 'shingles', nxt(),
  'bands', bands)
if ttl > 0 then redis.call('PEXPIRE', doc, ttl) end
for b in string.gmatch(bands, '[^,]+') do
  redis.call('SADD', p .. 'nd:b:' .. b, id)
  if ttl > 0 then redis.call('PEXPIRE', p .. 'nd:b:' .. b, ttl) end
end
redis.call('ZADD', p .. 'nd:added', now, id)
redis.call('INCR', p .. 'nd:ver')
redis.call('SADD', pending, 'd:' .. id)
if keeper ~= '' then return {'ok', 0} end
local seq = redis.call('INCR', p .. 'nd:seq')
redis.call('ZADD', p .. 'nd:recent', seq, id)
redis.call('ZREMRANGEBYRANK', p .. 'nd:recent', 0, -window - 1)
return {'ok', seq}
"""


class RedisNearDupIndex(NearDupIndex):
    """NearDupIndex over Redis; inherits the exact verification rules (``_verify``)."""

    def __init__(
        self, client: redis.Redis, config: NearDupConfig, prefix: str, worker: str
    ) -> None:
        self.client = client
        self.config = config
        self.num_perm = config.num_perm
        self.prefix = prefix
        self.worker = worker
        self.ttl_ms = 0
        self._common = _CommonShingles()
        self._added_since_rebuild = 0
        self._seq = -1
        self._band_cache: dict[int, tuple[Signature, tuple[list[str], int]]] = {}
        self._read = client.register_script(_READ)
        self._insert = client.register_script(INSERT_SCRIPT)
        self._check_meta()
        self._rebuild_common()

    def _check_meta(self) -> None:
        """Record the signature parameters; refuse a namespace built with different ones."""
        c = self.config
        params = f"{c.num_perm}/{c.shingle}/{c.seed}/{c.min_line_words}/{c.lead_words}/"
        params += f"{c.lsh_bands}x{c.lsh_rows}"
        key = self.prefix + "nd:meta"
        self.client.set(key, params, nx=True)
        stored = self.client.get(key)
        if stored is not None and text(stored) != params:
            raise ValueError(f"near-dup state was built with {text(stored)}, config wants {params}")

    def _rebuild_common(self) -> None:
        """Recount furniture statistics from the most recent docs of every worker."""
        self._common.clear()
        self._added_since_rebuild = 0
        self._seq = int(self.client.get(self.prefix + "nd:seq") or 0)
        ids = self.client.zrange(self.prefix + "nd:recent", -self.config.common_window, -1)
        for start in range(0, len(ids), 500):
            pipe = self.client.pipeline(transaction=False)
            for doc in ids[start : start + 500]:
                pipe.hget(f"{self.prefix}nd:doc:{text(doc)}", "shingles")
            for blob in pipe.execute():
                if blob:
                    self._common.add(np.frombuffer(blob, dtype=np.uint32))

    def _count(self, shingles: np.ndarray) -> None:
        """Add one stored doc to the furniture statistics (rebuilding every window)."""
        self._common.add(shingles)
        self._added_since_rebuild += 1
        if self._added_since_rebuild >= self.config.common_window:
            self._rebuild_common()

    def _band_list(self, sig: Signature) -> tuple[list[str], int]:
        """All band keys (whole text first, then lead) as strings, and how many are whole."""
        cached = self._band_cache.get(id(sig))
        if cached is not None and cached[0] is sig:
            return cached[1]
        whole, lead = self._keys(sig)
        if len(self._band_cache) > 4096:
            self._band_cache.clear()
        self._band_cache[id(sig)] = (sig, ([str(k) for k in whole + lead], len(whole)))
        return self._band_cache[id(sig)][1]

    def _read_args(self, sig: Signature, doc_id: str, guards: list[str]) -> list[Any]:
        """Arguments of the read script."""
        bands, nwhole = self._band_list(sig)
        args = [self.prefix, nwhole, self.config.max_candidates, self._seq, doc_id, len(guards)]
        return [*args, *guards, ",".join(bands)]

    def _interpret(
        self, sig: Signature, doc_id: str, result: list[Any]
    ) -> tuple[Any, list[str], int]:
        """(guard hit (key, id) | matches other than DOC_ID, band members seen, index version)."""
        if result[0] == b"dup":
            return (text(result[2]), text(result[1])), [], 0
        docs, seq, recent, seen, version = result
        self._sync(int(seq), recent)
        matches = [m for m in self._verify_all(sig, docs) if m.doc_id != doc_id]
        return matches, text(seen).split(";"), int(version)

    def _sync(self, seq: int, recent: list[Any] | None) -> None:
        """Count docs stored since the last sync (rebuild when far behind: Lua false)."""
        if recent is None:
            self._rebuild_common()
            return
        for _doc, blob, doc_seq in recent:
            if blob and int(doc_seq) > self._seq:
                self._count(np.frombuffer(blob, dtype=np.uint32))
        self._seq = max(self._seq, seq)

    def _verify_all(self, sig: Signature, docs: list[Any]) -> list[Match]:
        """Exact check of each candidate, as NearDupIndex.find_all does."""
        q_size = self._content_size(sig.shingles)
        best: dict[str, Match] = {}
        for doc, via_whole, keeper, d_size, blob in docs:
            verdict = self._verify(
                sig.shingles, q_size, np.frombuffer(blob, dtype=np.uint32), int(d_size)
            )
            if verdict is None:
                continue
            doc_id = text(keeper or doc)
            reason = verdict[1] if int(via_whole) or verdict[1] == "near" else "lead"
            if doc_id not in best or verdict[0] > best[doc_id].similarity:
                best[doc_id] = Match(doc_id, round(verdict[0], 4), reason)
        return sorted(best.values(), key=lambda m: (m.reason != "near", -m.similarity))

    def find_all(self, sig: Signature) -> list[Match]:
        """Every verified match (one per reported doc id), best first."""
        matches = self._interpret(sig, "", self._read(args=self._read_args(sig, "", [])))[0]
        return list(matches)

    def add(self, doc_id: str, sig: Signature, now: float, keeper: str | None = None) -> None:
        """Store a signature unconditionally (pending until the state commits)."""
        self._done(sig, self._insert(args=self._insert_args(doc_id, sig, now, keeper, [], None)))

    def claim(
        self, doc_id: str, sig: Signature, now: float, guards: list[str], extra: list[Any]
    ) -> Match | tuple[str, str] | None:
        """Atomically store SIG unless a guard key or a verified near-duplicate exists.

        Returns None when stored, (guard key, its article id) when a guard key exists,
        or the Match that won. EXTRA is passed to the insert script (keys and a hash to set).
        """
        return self.claim_many([(doc_id, sig, guards, extra)], now)[0]

    def claim_many(
        self, items: list[tuple[str, Signature, list[str], list[Any]]], now: float
    ) -> list[Match | tuple[str, str] | None]:
        """Claim a batch in two round trips (plus retries), as if claimed one after another.

        Docs of the batch are verified against each other locally; the furniture
        statistics lag by one batch.
        """
        results: dict[int, Match | tuple[str, str] | None] = {}
        todo = list(range(len(items)))
        for _attempt in range(MAX_RETRIES):
            reads = [
                (self._read, self._read_args(items[i][1], items[i][0], items[i][2])) for i in todo
            ]
            written = self._queue_inserts(items, todo, self._run(reads), results, now)
            todo = self._finish_inserts(items, written, results)
            if not todo:
                return [results[i] for i in range(len(items))]
            log.debug("%d claims raced with another worker; retrying", len(todo))
        raise RuntimeError(f"near-dup claims of {len(todo)} docs kept racing; giving up")

    def _queue_inserts(
        self,
        items: list[tuple[str, Signature, list[str], list[Any]]],
        todo: list[int],
        reads: list[Any],
        results: dict[int, Match | tuple[str, str] | None],
        now: float,
    ) -> list[tuple[int, Any]]:
        """Verify each read; pipeline the inserts of the new docs; return (item, reply)."""
        inserts: list[tuple[Any, list[Any]]] = []
        earlier: dict[str, list[tuple[str, Signature]]] = {}  # band -> kept in this batch
        queued: list[int] = []
        for i, read in zip(todo, reads, strict=True):
            doc_id, sig, guards, extra = items[i]
            found, seen, version = self._interpret(sig, doc_id, read)
            bands = self._band_list(sig)[0]
            mine = {d: other for band in bands for d, other in earlier.get(band, [])}
            if isinstance(found, tuple) or found or (found := self._local_match(sig, mine)):
                results[i] = found if isinstance(found, tuple) else found[0]
                continue
            also = "," + ",".join(mine) if mine else ""  # kept earlier in this batch
            expect = [(band, members + also) for band, members in zip(bands, seen, strict=True)]
            # the version moved by our own inserts only: nobody else wrote, no band check
            expected = str(version + len(queued))
            args = self._insert_args(doc_id, sig, now, None, guards, expect, extra, expected)
            inserts.append((self._insert, args))
            for band in bands:
                earlier.setdefault(band, []).append((doc_id, sig))
            queued.append(i)
        return list(zip(queued, self._run(inserts), strict=True))

    def _run(self, calls: list[tuple[Any, list[Any]]]) -> list[Any]:
        """Run script calls: one directly, several in one pipelined round trip."""
        if len(calls) <= 1:
            return [script(args=args) for script, args in calls]
        for _attempt in range(2):
            pipe = self.client.pipeline(transaction=False)
            for script, args in calls:
                pipe.evalsha(script.sha, 0, *args)  # no SCRIPT EXISTS round trip
            try:
                return list(pipe.execute())
            except NoScriptError:  # Redis restarted or flushed: load and run again
                for script in {s.sha: s for s, _ in calls}.values():
                    self.client.script_load(script.script)
        raise RuntimeError("Redis keeps forgetting the newsdedup scripts")

    def _local_match(self, sig: Signature, earlier: dict[str, Signature]) -> list[Match]:
        """A verified match among docs claimed earlier in the same batch (sharing a band)."""
        q_size = self._content_size(sig.shingles)
        for doc_id, other in earlier.items():
            d_size = self._content_size(other.shingles)
            if verdict := self._verify(sig.shingles, q_size, other.shingles, d_size):
                return [Match(doc_id, round(verdict[0], 4), verdict[1])]
        return []

    def _finish_inserts(
        self,
        items: list[tuple[str, Signature, list[str], list[Any]]],
        written: list[tuple[int, Any]],
        results: dict[int, Match | tuple[str, str] | None],
    ) -> list[int]:
        """Record each insert's outcome; return the items that raced and must be retried."""
        retry = []
        for i, reply in written:
            outcome = self._done(items[i][1], reply)
            if isinstance(outcome, str):
                retry.append(i)
            else:
                results[i] = outcome
        return retry

    def _insert_args(
        self,
        doc_id: str,
        sig: Signature,
        now: float,
        keeper: str | None,
        guards: list[str],
        expect: list[tuple[str, str]] | None,
        extra: list[Any] | None = None,
        version: str = "",
    ) -> list[Any]:
        """Arguments of the insert script (VERSION: the expected nd:ver, '' to always check)."""
        bands, _ = self._band_list(sig)
        args: list[Any] = [self.prefix, self.worker, now, self.ttl_ms, doc_id, keeper or ""]
        args += [self.config.common_window, len(guards), *guards]
        args += [version, ";".join(f"{band}={members}" for band, members in expect or [])]
        args += extra or [0, 0]
        return [*args, ",".join(bands), self._content_size(sig.shingles), sig.shingles.tobytes()]

    def _done(self, sig: Signature, reply: list[Any]) -> tuple[str, str] | str | None:
        """An insert's outcome: 'retry', (guard key, article id) on a guard hit, else None."""
        status = text(reply[0])
        if status == "dup":
            return text(reply[2]), text(reply[1])
        if status == "retry":
            return "retry"
        seq = int(reply[1])
        if seq and seq == self._seq + 1:  # nobody else stored a doc: count ours now
            self._count(sig.shingles)
            self._seq = seq
        return None

    def evict(self, older_than: float) -> int:
        """Drop signatures added before OLDER_THAN; return how many."""
        ids = self.client.zrangebyscore(self.prefix + "nd:added", "-inf", f"({older_than}")
        for start in range(0, len(ids), 500):
            drop_docs(self.client, self.prefix, [text(i) for i in ids[start : start + 500]])
        if ids:
            log.info("evicted %d near-dup signatures", len(ids))
        return len(ids)

    def size(self) -> int:
        """Number of stored documents."""
        return int(self.client.zcard(self.prefix + "nd:added"))


DROP_SCRIPT = """
local p = ARGV[1]
for i = 2, #ARGV do
  local doc = p .. 'nd:doc:' .. ARGV[i]
  local bands = redis.call('HGET', doc, 'bands') or ''
  for b in string.gmatch(bands, '[^,]+') do redis.call('SREM', p .. 'nd:b:' .. b, ARGV[i]) end
  redis.call('DEL', doc)
  redis.call('ZREM', p .. 'nd:added', ARGV[i])
  redis.call('ZREM', p .. 'nd:recent', ARGV[i])
end
return #ARGV - 1
"""


def drop_docs(client: redis.Redis, prefix: str, doc_ids: list[str]) -> int:
    """Delete docs and their band memberships atomically; return how many ids were given."""
    if not doc_ids:
        return 0
    return int(client.eval(DROP_SCRIPT, 0, prefix, *doc_ids))
