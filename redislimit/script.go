package redislimit

import (
	"net/http"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// takeScript takes one slot in one or two budgets at once, or none. Each
// budget is a GCRA: its key holds the theoretical arrival time of the
// next request, in microseconds of Redis's clock, so the processes' own
// clocks never matter. The slot is the latest of now, the key's pause and
// each budget's next time; each budget then moves one interval past it.
// Slots are reserved, not polled for, so a fleet's requests stay evenly
// spaced however many wait.
//
// KEYS: the pause, then the budgets. ARGV: the longest wait that takes the
// slot, then each budget's interval. Returns {wait, taken, slot}.
var takeScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local at = now
local pause = tonumber(redis.call('GET', KEYS[1]))
if pause and pause > at then at = pause end
for i = 2, #KEYS do
  local tat = tonumber(redis.call('GET', KEYS[i]))
  if tat and tat > at then at = tat end
end
local wait = at - now
if wait > tonumber(ARGV[1]) then
  return {wait, 0, at}
end
for i = 2, #KEYS do
  local nxt = at + tonumber(ARGV[i])
  redis.call('SET', KEYS[i], string.format('%.0f', nxt), 'PX', math.ceil((nxt - now) / 1000) + 1000)
end
return {wait, 1, at}
`)

// giveBackScript returns the slot ARGV[1] to each budget, KEYS, whose
// interval is ARGV[i+1], if that slot is still its latest, so that the
// next caller gets it. A budget with a later slot taken keeps its clock:
// moving it back would give two callers the same slot.
var giveBackScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local at = tonumber(ARGV[1])
for i = 1, #KEYS do
  if tonumber(redis.call('GET', KEYS[i])) == at + tonumber(ARGV[i + 1]) then
    if at > now then
      redis.call('SET', KEYS[i], string.format('%.0f', at), 'PX', math.ceil((at - now) / 1000) + 1000)
    else
      redis.call('DEL', KEYS[i])
    end
  end
end
return 0
`)

// pauseScript pauses a key for ARGV[1] microseconds from Redis's now; a
// longer pause in force stays. The pause comes as a duration, not as a
// time of the process's clock: a process whose clock is ahead of Redis's
// would make every pause longer by the gap, one behind would share none.
var pauseScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local untilv = now + tonumber(ARGV[1])
if untilv <= now then return 0 end
local cur = tonumber(redis.call('GET', KEYS[1]))
if cur and cur >= untilv then return 0 end
redis.call('SET', KEYS[1], string.format('%.0f', untilv), 'PX', math.ceil((untilv - now) / 1000) + 1000)
return 1
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
