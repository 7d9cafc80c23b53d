//! The RFC 3539 §3.4 transport watchdog as pure code: DWR after Tw of silence, SUSPECT
//! when the DWA does not come, DOWN after a second Tw, and REOPEN requiring three DWAs
//! on a new connection before traffic flows again.

use std::time::Duration;

/// The watchdog states of RFC 3539 §3.4.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WatchdogState {
    /// No connection has been up yet.
    Initial,
    /// The connection answers.
    Okay,
    /// A DWA is overdue: traffic fails over, the connection is kept one more Tw.
    Suspect,
    /// The connection is closed.
    Down,
    /// A new connection is being proven with three DWAs.
    Reopen,
}

/// What the watchdog reacts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WatchdogEvent {
    /// The connection is up (CER/CEA done).
    ConnectionUp,
    /// The connection went down.
    ConnectionDown,
    /// A DWA arrived.
    ReceiveDwa,
    /// Any other message arrived.
    ReceiveOther,
    /// Tw elapsed.
    TimerExpired,
}

/// What the driver must do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WatchdogAction {
    /// SendWatchdog(): send a DWR.
    SendDwr,
    /// SetWatchdog(): arm the timer for a fresh Tw (see [`tw`]).
    SetTimer,
    /// Failover(): stop routing requests to the peer.
    Failover,
    /// Failback(): route requests to the peer again.
    Failback,
    /// CloseConnection().
    CloseConnection,
    /// AttemptOpen(): try to connect again.
    AttemptOpen,
}

/// The watchdog of one connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Watchdog {
    state: WatchdogState,
    pending: bool,
    num_dwa: i32,
}

impl Default for Watchdog {
    fn default() -> Self {
        Self::new()
    }
}

impl Watchdog {
    /// A watchdog in `Initial`.
    pub fn new() -> Self {
        Watchdog {
            state: WatchdogState::Initial,
            pending: false,
            num_dwa: 0,
        }
    }

    /// The current state.
    pub fn state(&self) -> WatchdogState {
        self.state
    }

    /// Whether a DWR waits for its DWA.
    pub fn pending(&self) -> bool {
        self.pending
    }

    /// Whether requests may be routed over the connection.
    pub fn routable(&self) -> bool {
        self.state == WatchdogState::Okay
    }

    /// Back to `Initial`, after a clean DPR/DPA disconnect (not a failure).
    pub fn reset(&mut self) {
        *self = Watchdog::new();
    }

    /// Feed one event; returns the actions, in order.
    pub fn handle(&mut self, event: WatchdogEvent) -> Vec<WatchdogAction> {
        use WatchdogAction as A;
        use WatchdogEvent as E;
        use WatchdogState as S;
        let mut out = Vec::new();
        match (self.state, event) {
            (S::Initial, E::ConnectionUp) => {
                out.push(A::SetTimer);
                self.state = S::Okay;
            }
            (S::Okay, E::ReceiveDwa) => {
                self.pending = false;
                out.push(A::SetTimer);
            }
            (S::Okay, E::ReceiveOther) => out.push(A::SetTimer),
            (S::Okay, E::TimerExpired) if !self.pending => {
                out.extend([A::SendDwr, A::SetTimer]);
                self.pending = true;
            }
            (S::Okay, E::TimerExpired) => {
                out.extend([A::Failover, A::SetTimer]);
                self.state = S::Suspect;
            }
            (S::Okay, E::ConnectionDown) => {
                out.extend([A::Failover, A::SetTimer]);
                self.state = S::Down;
            }
            (S::Suspect, E::ReceiveDwa) => {
                self.pending = false;
                out.extend([A::Failback, A::SetTimer]);
                self.state = S::Okay;
            }
            (S::Suspect, E::ReceiveOther) => {
                out.extend([A::Failback, A::SetTimer]);
                self.state = S::Okay;
            }
            (S::Suspect, E::TimerExpired) | (S::Suspect, E::ConnectionDown) => {
                out.extend([A::CloseConnection, A::SetTimer]);
                self.state = S::Down;
            }
            (S::Down, E::TimerExpired) => out.extend([A::AttemptOpen, A::SetTimer]),
            (S::Down, E::ConnectionUp) => {
                self.num_dwa = 0;
                self.pending = true;
                out.extend([A::SendDwr, A::SetTimer]);
                self.state = S::Reopen;
            }
            (S::Reopen, E::ReceiveDwa) => {
                self.pending = false;
                self.num_dwa += 1;
                if self.num_dwa >= 3 {
                    out.push(A::Failback);
                    self.state = S::Okay;
                }
            }
            (S::Reopen, E::ReceiveOther) => {}
            (S::Reopen, E::TimerExpired) if !self.pending => {
                out.extend([A::SendDwr, A::SetTimer]);
                self.pending = true;
            }
            (S::Reopen, E::TimerExpired) if self.num_dwa < 0 => {
                out.extend([A::CloseConnection, A::SetTimer]);
                self.state = S::Down;
            }
            (S::Reopen, E::TimerExpired) => {
                self.num_dwa = -1;
                out.push(A::SetTimer);
            }
            (S::Reopen, E::ConnectionDown) => {
                out.extend([A::CloseConnection, A::SetTimer]);
                self.state = S::Down;
            }
            _ => {}
        }
        out
    }
}

/// Tw: `twinit` with the jitter of RFC 3539 §3.4.1 (uniform in ±2 s), scaled down to
/// ±`twinit`/4 for short intervals. `random` is any random 64-bit number.
pub fn tw(twinit: Duration, random: u64) -> Duration {
    let jitter = Duration::from_secs(2).min(twinit / 4);
    let span = jitter.as_micros() as u64 * 2;
    if span == 0 {
        return twinit;
    }
    let offset = Duration::from_micros(random % (span + 1));
    twinit - jitter + offset
}
