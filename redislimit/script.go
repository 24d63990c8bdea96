package redislimit

import (
	"net/http"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// The budgets' scripts. Each budget is a hash under its own key, on
// Redis's clock, in microseconds, so the processes' own clocks never
// matter:
//
//   - tat: the theoretical arrival time of the next request (a GCRA), so
//     that slots are spaced evenly whichever process takes them. Slots are
//     reserved, not polled for, so a fleet's requests stay evenly spaced
//     however many wait.
//   - ws, we, n: the window the budget believes the server counts in. The
//     API counts in fixed windows that open with a key's first request, so
//     evenly spaced slots at exactly its limit put the first request of
//     the next window at the very end of the last one, where a request
//     that reaches the server a little early is one too many. A window
//     holds at most the budget's N slots; the next slot waits for its end.
//     The end is a guess until an answer about the window teaches it (see
//     learnScript): the budget's period and one interval more, at most a
//     second more, for a first request that reached the server late.
//   - id: the x-ratelimit-reset of the last server window learned, which
//     names the server's windows, so that a late answer about an older one
//     teaches nothing; rid: the one the budget's window learned, 0 for
//     none yet.
//
// A budget's ARGV is three numbers: its interval, its N and its period.

// takeScript takes one slot in one or two budgets at once, or none. The
// slot is the latest of now, the key's pause and each budget's next time,
// moved to the end of any budget's window that is full. Each budget then
// moves one interval past it, the slot opening a new window where the
// budget's is over.
//
// KEYS: the pause, then the budgets. ARGV: the longest wait that takes the
// slot, then each budget's three. Returns {wait, taken, slot}.
var takeScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local at = now
local pause = tonumber(redis.call('GET', KEYS[1]))
if pause and pause > at then at = pause end
local bs = {}
for i = 2, #KEYS do
  local v = redis.call('HMGET', KEYS[i], 'tat', 'we', 'n')
  local j = 2 + (i - 2) * 3
  local b = {tat = tonumber(v[1]) or 0, we = tonumber(v[2]) or 0, n = tonumber(v[3]) or 0,
    iv = tonumber(ARGV[j]), lim = tonumber(ARGV[j + 1]), per = tonumber(ARGV[j + 2])}
  if b.tat > at then at = b.tat end
  bs[#bs + 1] = b
end
-- Moving the slot to one window's end may bring it into another full
-- window; each budget moves it at most once, as its window is then over.
for _ = 0, #bs do
  local moved = false
  for _, b in ipairs(bs) do
    if at < b.we and b.n >= b.lim then at = b.we; moved = true end
  end
  if not moved then break end
end
local wait = at - now
if wait > tonumber(ARGV[1]) then
  return {wait, 0, at}
end
for i, b in ipairs(bs) do
  local key = KEYS[i + 1]
  if at >= b.we then
    b.we = at + b.per + math.min(b.iv, 1000000)
    redis.call('HSET', key, 'tat', string.format('%.0f', at + b.iv), 'ws', string.format('%.0f', at),
      'we', string.format('%.0f', b.we), 'n', 1, 'rid', 0)
  else
    redis.call('HSET', key, 'tat', string.format('%.0f', at + b.iv), 'n', b.n + 1)
  end
  redis.call('PEXPIRE', key, math.ceil((math.max(at + b.iv, b.we) - now) / 1000) + 1000)
end
return {wait, 1, at}
`)

// giveBackScript returns the slot ARGV[1] to each budget, KEYS, if that
// slot is still its latest, so that the next caller gets it, and takes it
// out of its window's count. A budget with a later slot taken keeps its
// clock: moving it back would give two callers the same slot. ARGV: the
// slot, then each budget's three.
var giveBackScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local at = tonumber(ARGV[1])
for i = 1, #KEYS do
  local iv = tonumber(ARGV[2 + (i - 1) * 3])
  local v = redis.call('HMGET', KEYS[i], 'tat', 'ws', 'n')
  if tonumber(v[1]) == at + iv then
    local n = (tonumber(v[3]) or 1) - 1
    if tonumber(v[2]) == at and n <= 0 then
      -- The slot opened its window: the next one opens it instead.
      redis.call('HDEL', KEYS[i], 'ws', 'we', 'n', 'rid')
    else
      redis.call('HSET', KEYS[i], 'n', math.max(n, 0))
    end
    if at > now then
      redis.call('HSET', KEYS[i], 'tat', string.format('%.0f', at))
    else
      redis.call('HDEL', KEYS[i], 'tat')
    end
  end
end
return 0
`)

// learnScript takes in what an answer says of the server's window and of
// a pause, for a key and its budgets.
//
// The first answer about a new server window (a reset newer than the
// budget's id) while the budget's window runs teaches its end: the server
// window opened before that answer came back, so it ends at the latest a
// period from now, and by the reset. Both are bounds, so the learned end
// is never early; it replaces the guess, which could be. An answer that
// counts more requests than the budget's window has slots is about
// another window (the tenant's, when others of its businesses called) or
// counts requests sent by others, and teaches nothing.
//
// Within a learned window, the server's count stands when higher than the
// budget's, and remaining 0 fills it: the next slot waits for the learned
// end, so a pause for remaining 0 is needed only where no budget learned
// its window. A 429's pause always holds.
//
// KEYS: the pause, then the budgets. ARGV: the pause in microseconds (0
// for none), 1 if it is for remaining 0 alone, 1 if the answer told of
// its window, the window's limit, remaining, reset (unix seconds, as a
// name) and the time until the reset in microseconds, then each budget's
// three.
var learnScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local pause, soft = tonumber(ARGV[1]), ARGV[2] == '1'
local spent = false
if ARGV[3] == '1' then
  local lim, rem, id, resetIn = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
  for i = 2, #KEYS do
    local j = 8 + (i - 2) * 3
    local per = tonumber(ARGV[j + 2])
    if tonumber(ARGV[j + 1]) == lim then
      local v = redis.call('HMGET', KEYS[i], 'ws', 'we', 'n', 'id', 'rid')
      local ws, we, n = tonumber(v[1]), tonumber(v[2]), tonumber(v[3]) or 0
      local known, rid = tonumber(v[4]) or 0, tonumber(v[5]) or 0
      local running = ws and we and now >= ws and now < we
      if running and id > known and lim - rem <= n then
        we, known, rid = math.min(now + per, now + resetIn), id, id
        redis.call('HSET', KEYS[i], 'we', string.format('%.0f', we), 'id', string.format('%.0f', id),
          'rid', string.format('%.0f', id))
      end
      if running and rid == id then
        if lim - rem > n then redis.call('HSET', KEYS[i], 'n', lim - rem) end
        if rem <= 0 then spent = true end
        if redis.call('PTTL', KEYS[i]) < (we - now) / 1000 + 1000 then
          redis.call('PEXPIRE', KEYS[i], math.ceil((we - now) / 1000) + 1000)
        end
      elseif ws and known == id then
        -- A late answer about a window learned before: the budget's window
        -- now (running, or opened ahead by slots taken early) began at or
        -- after that window's learned end, and is not the answer's.
        if rem <= 0 then spent = true end
      end
    end
  end
end
if pause > 0 and not (soft and spent) then
  local untilv = now + pause
  local cur = tonumber(redis.call('GET', KEYS[1]))
  if not cur or cur < untilv then
    redis.call('SET', KEYS[1], string.format('%.0f', untilv), 'PX', math.ceil(pause / 1000) + 1000)
  end
end
return 0
`)

// resetMargin is added to a reset in whole seconds, so that clocks a
// fraction apart do not land the next request in the spent window.
const resetMargin = 50 * time.Millisecond

// pauseFor is how long the answer, read at now, asks requests to hold
// off, if it asks for a pause at all: after a 429 (Retry-After, else a
// reset still to come, else a second), or when x-ratelimit-remaining is 0
// and the reset is still to come. It is never more than maxWait, however
// far or absurd the header's value.
func pauseFor(h http.Header, status int, now time.Time, maxWait time.Duration) (time.Duration, bool) {
	reset, hasReset := resetIn(h.Get("X-Ratelimit-Reset"), now, maxWait)
	if status == http.StatusTooManyRequests {
		if d, ok := retryAfter(h.Get("Retry-After"), now); ok {
			return min(d, maxWait), true
		}
		if hasReset {
			return reset, true
		}
		return min(time.Second, maxWait), true
	}
	if h.Get("X-Ratelimit-Remaining") == "0" && hasReset {
		return reset, true
	}
	return 0, false
}

// resetIn is how long from now until v, in unix seconds, plus the margin,
// at most maxWait; false when v is not a number or is already past, as
// it then tells nothing of a window still running.
func resetIn(v string, now time.Time, maxWait time.Duration) (time.Duration, bool) {
	sec, err := strconv.ParseInt(v, 10, 64)
	if err != nil || sec < now.Unix() {
		return 0, false
	}
	// Compared in seconds first: time.Unix(sec, 0) of an absurd sec is
	// past what a Duration holds.
	if sec-now.Unix() > int64(maxWait/time.Second)+1 {
		return maxWait, true
	}
	d := time.Unix(sec, 0).Sub(now)
	if d <= 0 {
		return 0, false
	}
	return min(d+resetMargin, maxWait), true
}

// answer is what Observe reads in an answer's header.
type answer struct {
	pause time.Duration // how long to hold requests off; 0 for none
	soft  bool          // the pause is for x-ratelimit-remaining: 0 alone

	window           bool // the header tells of the window: all below are set
	limit, remaining int
	reset            int64         // x-ratelimit-reset, which names the window
	resetIn          time.Duration // until the reset, with the margin, at most maxWait
}

// readAnswer reads h and status at now; false when they say nothing the
// budgets can use.
func readAnswer(h http.Header, status int, now time.Time, maxWait time.Duration) (answer, bool) {
	var a answer
	var paused bool
	a.pause, paused = pauseFor(h, status, now, maxWait)
	a.soft = paused && status != http.StatusTooManyRequests
	limit, errL := strconv.Atoi(h.Get("X-Ratelimit-Limit"))
	remaining, errR := strconv.Atoi(h.Get("X-Ratelimit-Remaining"))
	reset, errT := strconv.ParseInt(h.Get("X-Ratelimit-Reset"), 10, 64)
	if errL == nil && errR == nil && errT == nil && limit > 0 && remaining >= 0 {
		if in, ok := resetIn(h.Get("X-Ratelimit-Reset"), now, maxWait); ok {
			a.window, a.limit, a.remaining, a.reset, a.resetIn = true, limit, remaining, reset, in
		}
	}
	return a, paused || a.window
}

// retryAfter reads Retry-After in seconds or as an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if sec, err := strconv.ParseInt(v, 10, 64); err == nil {
		if sec < 0 {
			return 0, false
		}
		return time.Duration(min(sec, int64(time.Hour/time.Second))) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}
