//! Delays between connection attempts: Fibonacci multiples of 10 ms (10, 10, 20, 30, 50 ms,
//! ...), as CGRateS' rpcclient waits, capped by `max_reconnect_interval`.

use std::time::Duration;

/// The first delay.
const UNIT: Duration = Duration::from_millis(10);

/// Successive delays between attempts.
#[derive(Debug, Clone)]
pub struct Backoff {
    previous: u32,
    current: u32,
    max: Duration,
}

impl Backoff {
    /// Delays growing up to `max`.
    pub fn new(max: Duration) -> Backoff {
        Backoff {
            previous: 0,
            current: 1,
            max,
        }
    }

    /// The next delay.
    pub fn next_delay(&mut self) -> Duration {
        let delay = UNIT.saturating_mul(self.current).min(self.max);
        if delay < self.max {
            let next = self.previous.saturating_add(self.current);
            self.previous = self.current;
            self.current = next;
        }
        delay
    }

    /// Start again from the first delay (after a successful connection).
    pub fn reset(&mut self) {
        *self = Backoff::new(self.max);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fibonacci_multiples_of_ten_ms_capped() {
        let mut b = Backoff::new(Duration::from_millis(100));
        let delays: Vec<u128> = (0..8).map(|_| b.next_delay().as_millis()).collect();
        assert_eq!(delays, [10, 10, 20, 30, 50, 80, 100, 100]);
        b.reset();
        assert_eq!(b.next_delay(), Duration::from_millis(10));
    }

    #[test]
    fn never_overflows() {
        let mut b = Backoff::new(Duration::from_secs(3600));
        for _ in 0..1000 {
            assert!(b.next_delay() <= Duration::from_secs(3600));
        }
    }
}
