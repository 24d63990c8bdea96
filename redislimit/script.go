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

// pauseScript pauses a key until ARGV[1] (unix microseconds), at most
// ARGV[2] microseconds from Redis's now; a longer pause in force stays.
var pauseScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local untilv = math.min(tonumber(ARGV[1]), now + tonumber(ARGV[2]))
if untilv <= now then return 0 end
local cur = tonumber(redis.call('GET', KEYS[1]))
if cur and cur >= untilv then return 0 end
redis.call('SET', KEYS[1], string.format('%.0f', untilv), 'PX', math.ceil((untilv - now) / 1000) + 1000)
return 1
`)

// resetMargin is added to a reset in whole seconds, so that clocks a
// fraction apart do not land the next request in the spent window.
const resetMargin = 50 * time.Millisecond

// pauseUntil is when the answer says requests may go again, if it asks for
// a pause at all: after a 429 (Retry-After, else x-ratelimit-reset, else a
// second), or when x-ratelimit-remaining is 0. It is never after
// now+maxWait.
func pauseUntil(h http.Header, status int, now time.Time, maxWait time.Duration) (time.Time, bool) {
	limit := now.Add(maxWait)
	reset, hasReset := unixHeader(h.Get("X-Ratelimit-Reset"), now, limit)
	if status == http.StatusTooManyRequests {
		if d, ok := retryAfter(h.Get("Retry-After"), now); ok {
			return minTime(now.Add(d), limit), true
		}
		if hasReset {
			return reset, true
		}
		return minTime(now.Add(time.Second), limit), true
	}
	if h.Get("X-Ratelimit-Remaining") == "0" && hasReset {
		return reset, true
	}
	return time.Time{}, false
}

// unixHeader reads unix seconds, plus the margin, capped at limit.
func unixHeader(v string, now, limit time.Time) (time.Time, bool) {
	sec, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	if sec > limit.Unix()+1 {
		return limit, true // also keeps absurd values from overflowing
	}
	return minTime(time.Unix(sec, 0).Add(resetMargin), limit), true
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
