//! The peer state machine of RFC 6733 §5.6, election included, as pure code.
//!
//! A [`PeerFsm`] takes [`Event`]s and returns the [`Action`]s the driver must carry out,
//! in order. It owns no socket and no clock: the driver opens and closes connections,
//! sends the messages and arms the state timer when told to.
//!
//! Two connections may exist with one peer: the one we initiated (`I`, [`Side::I`]) and
//! the one the peer initiated (`R`, [`Side::R`]). A new incoming connection is known by
//! its [`ConnId`] until the machine accepts it as the `R` connection.
//!
//! The capabilities in a CER are checked by the caller (see
//! [`super::capabilities`]); the outcome arrives with [`Event::RConnCer`] as the
//! Result-Code the CEA must carry.

use crate::wire::result_code::DIAMETER_SUCCESS;

/// The states of RFC 6733 §5.6.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// No connection.
    Closed,
    /// Our connection attempt is in progress.
    WaitConnAck,
    /// We sent a CER on our connection and wait for the CEA.
    WaitICea,
    /// Our connection attempt is in progress and the peer's CER arrived on its own connection.
    WaitConnAckElect,
    /// Both connections exist; the election decides which one stays.
    WaitReturns,
    /// Open on the connection the peer initiated.
    ROpen,
    /// Open on the connection we initiated.
    IOpen,
    /// DPR/DPA exchanged or in progress; waiting for the connection to go.
    Closing,
}

impl State {
    /// Whether messages may be exchanged.
    pub fn is_open(self) -> bool {
        matches!(self, State::ROpen | State::IOpen)
    }

    /// Whether the state waits for something that the state timer bounds.
    pub fn is_timed(self) -> bool {
        matches!(
            self,
            State::WaitConnAck
                | State::WaitICea
                | State::WaitConnAckElect
                | State::WaitReturns
                | State::Closing
        )
    }

    /// The side whose connection carries the traffic in an open state.
    pub fn open_side(self) -> Option<Side> {
        match self {
            State::ROpen => Some(Side::R),
            State::IOpen => Some(Side::I),
            _ => None,
        }
    }
}

/// Which of the two connections with a peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    /// The connection we initiated.
    I,
    /// The connection the peer initiated.
    R,
}

/// An incoming connection, named by the driver.
pub type ConnId = u64;

/// What happens to the state machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Start: the peer is to be connected (persistent peers at start and on redial).
    Start,
    /// Stop: the node shuts down or the peer is no longer wanted.
    Stop,
    /// R-Conn-CER: a CER arrived on a new incoming connection `conn`. `origin_host` is the
    /// CER's Origin-Host (for the election) and `result_code` the outcome of checking its
    /// capabilities (2001 when acceptable).
    RConnCer {
        conn: ConnId,
        origin_host: String,
        result_code: u32,
    },
    /// I-Rcv-Conn-Ack: our connection attempt succeeded.
    IRcvConnAck,
    /// I-Rcv-Conn-Nack: our connection attempt failed.
    IRcvConnNack,
    /// Timeout of the state timer.
    Timeout,
    /// I-Rcv-CEA: the CEA arrived on our connection; `accepted` is false when it carries
    /// a failure or shares no application with us.
    IRcvCea { accepted: bool },
    /// A message other than CEA arrived on our connection before the CEA.
    IRcvNonCea,
    /// The connection on `side` went down.
    PeerDisc(Side),
    /// A DPR arrived on `side`.
    RcvDpr(Side),
    /// A DPA arrived on `side`.
    RcvDpa(Side),
    /// A DWR arrived on `side`.
    RcvDwr(Side),
    /// A DWA arrived on `side`.
    RcvDwa(Side),
    /// Any other message arrived on `side`.
    RcvMessage(Side),
    /// A message is to be sent to the peer.
    SendMessage,
    /// Win-Election: our Origin-Host is the higher one.
    WinElection,
}

/// What the driver must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// I-Snd-Conn-Req: open a connection to the peer.
    Connect,
    /// I-Snd-CER: send a CER on our connection.
    SendCer,
    /// R-Accept: `conn` becomes the `R` connection.
    Accept(ConnId),
    /// R-Snd-CEA: send a CEA with `result_code` on connection `conn`.
    SendCea { conn: ConnId, result_code: u32 },
    /// R-Reject: close connection `conn` (not the accepted `R` connection).
    Reject(ConnId),
    /// Snd-DPR on `side`.
    SendDpr(Side),
    /// Snd-DPA on `side`.
    SendDpa(Side),
    /// Snd-DWA on `side` (Process-DWR done by the driver).
    SendDwa(Side),
    /// Process-DWA: hand the DWA to the watchdog.
    ProcessDwa(Side),
    /// Snd-Message on `side`.
    SendMessage(Side),
    /// Process: deliver the received message to the node.
    Process(Side),
    /// I-Disc / R-Disc: close the connection on `side`.
    Disconnect(Side),
    /// Error: close every connection with the peer.
    Error,
    /// Arm (or re-arm) the state timer.
    SetTimer,
    /// Disarm the state timer.
    CancelTimer,
    /// The peer is open on `side`: route traffic to it.
    Up(Side),
    /// The peer is no longer open.
    Down,
}

/// The RFC 6733 peer state machine for one peer.
#[derive(Debug, Clone)]
pub struct PeerFsm {
    state: State,
    local_host: String,
    /// The accepted incoming connection, from R-Accept until it is closed.
    r_conn: Option<ConnId>,
    /// The Origin-Host of the CER on the accepted incoming connection.
    r_host: Option<String>,
}

impl PeerFsm {
    /// A machine in `Closed` for a node whose Origin-Host is `local_host`.
    pub fn new(local_host: impl Into<String>) -> Self {
        PeerFsm {
            state: State::Closed,
            local_host: local_host.into(),
            r_conn: None,
            r_host: None,
        }
    }

    /// The current state.
    pub fn state(&self) -> State {
        self.state
    }

    /// The accepted incoming connection, if any.
    pub fn r_conn(&self) -> Option<ConnId> {
        self.r_conn
    }

    /// Whether our Origin-Host wins the election against `peer_host` (RFC 6733 §5.6.4:
    /// the higher Origin-Host, compared as case-folded octet strings, wins).
    pub fn wins_election(&self, peer_host: &str) -> bool {
        self.local_host.to_ascii_lowercase().as_bytes() > peer_host.to_ascii_lowercase().as_bytes()
    }

    /// Feed one event; returns the actions to carry out, in order.
    pub fn handle(&mut self, event: Event) -> Vec<Action> {
        let before = self.state;
        let mut out = Vec::new();
        self.step(event, &mut out);
        let after = self.state;
        if before != after {
            if before.is_open() && !after.is_open() {
                out.push(Action::Down);
            }
            if let Some(side) = after.open_side() {
                if !before.is_open() {
                    out.push(Action::Up(side));
                }
            }
            if after.is_timed() {
                out.push(Action::SetTimer);
            } else if before.is_timed() {
                out.push(Action::CancelTimer);
            }
        }
        if matches!(
            self.state,
            State::Closed | State::WaitConnAck | State::WaitICea
        ) {
            self.r_conn = None;
            self.r_host = None;
        }
        out
    }

    fn step(&mut self, event: Event, out: &mut Vec<Action>) {
        use Action as A;
        use Event as E;
        use State as S;
        match (self.state, event) {
            // Closed
            (S::Closed, E::Start) => {
                out.push(A::Connect);
                self.state = S::WaitConnAck;
            }
            (
                S::Closed,
                E::RConnCer {
                    conn, result_code, ..
                },
            ) => {
                if result_code == DIAMETER_SUCCESS {
                    out.push(A::Accept(conn));
                    out.push(A::SendCea { conn, result_code });
                    self.r_conn = Some(conn);
                    self.state = S::ROpen;
                } else {
                    out.push(A::SendCea { conn, result_code });
                    out.push(A::Reject(conn));
                }
            }

            // Wait-Conn-Ack
            (S::WaitConnAck, E::IRcvConnAck) => {
                out.push(A::SendCer);
                self.state = S::WaitICea;
            }
            (S::WaitConnAck, E::IRcvConnNack) => {
                out.push(A::Error);
                self.state = S::Closed;
            }
            (
                S::WaitConnAck,
                E::RConnCer {
                    conn,
                    origin_host,
                    result_code,
                },
            ) => {
                let accepted = self.accept(conn, origin_host, result_code, out);
                if accepted {
                    self.state = S::WaitConnAckElect;
                }
            }
            (S::WaitConnAck, E::Timeout) => {
                out.push(A::Error);
                self.state = S::Closed;
            }

            // Wait-I-CEA
            (S::WaitICea, E::IRcvCea { accepted }) => {
                if accepted {
                    self.state = S::IOpen;
                } else {
                    out.push(A::Disconnect(Side::I));
                    self.state = S::Closed;
                }
            }
            (
                S::WaitICea,
                E::RConnCer {
                    conn,
                    origin_host,
                    result_code,
                },
            ) => {
                let accepted = self.accept(conn, origin_host, result_code, out);
                if accepted {
                    self.state = S::WaitReturns;
                    self.elect(out);
                }
            }
            (S::WaitICea, E::PeerDisc(Side::I)) => {
                out.push(A::Disconnect(Side::I));
                self.state = S::Closed;
            }
            (S::WaitICea, E::IRcvNonCea) | (S::WaitICea, E::Timeout) => {
                out.push(A::Error);
                self.state = S::Closed;
            }

            // Wait-Conn-Ack/Elect
            (S::WaitConnAckElect, E::IRcvConnAck) => {
                out.push(A::SendCer);
                self.state = S::WaitReturns;
                self.elect(out);
            }
            (S::WaitConnAckElect, E::IRcvConnNack) => {
                self.send_r_cea(out);
                self.state = S::ROpen;
            }
            (S::WaitConnAckElect, E::PeerDisc(Side::R)) => {
                self.drop_r(out);
                self.state = S::WaitConnAck;
            }
            (S::WaitConnAckElect, E::RConnCer { conn, .. }) => {
                out.push(A::Reject(conn));
            }
            (S::WaitConnAckElect, E::Timeout) => {
                out.push(A::Error);
                self.state = S::Closed;
            }

            // Wait-Returns
            (S::WaitReturns, E::WinElection) | (S::WaitReturns, E::PeerDisc(Side::I)) => {
                out.push(A::Disconnect(Side::I));
                self.send_r_cea(out);
                self.state = S::ROpen;
            }
            (S::WaitReturns, E::IRcvCea { accepted }) => {
                self.drop_r(out);
                if accepted {
                    self.state = S::IOpen;
                } else {
                    out.push(A::Disconnect(Side::I));
                    self.state = S::Closed;
                }
            }
            (S::WaitReturns, E::PeerDisc(Side::R)) => {
                self.drop_r(out);
                self.state = S::WaitICea;
            }
            (S::WaitReturns, E::RConnCer { conn, .. }) => {
                out.push(A::Reject(conn));
            }
            (S::WaitReturns, E::Timeout) => {
                out.push(A::Error);
                self.state = S::Closed;
            }

            // R-Open and I-Open
            (S::ROpen | S::IOpen, E::SendMessage) => {
                out.push(A::SendMessage(self.side()));
            }
            (S::ROpen | S::IOpen, E::RcvMessage(side)) if side == self.side() => {
                out.push(A::Process(side));
            }
            (S::ROpen | S::IOpen, E::RcvDwr(side)) if side == self.side() => {
                out.push(A::SendDwa(side));
            }
            (S::ROpen | S::IOpen, E::RcvDwa(side)) if side == self.side() => {
                out.push(A::ProcessDwa(side));
            }
            (S::ROpen | S::IOpen, E::RConnCer { conn, .. }) => {
                out.push(A::Reject(conn));
            }
            (S::ROpen | S::IOpen, E::Stop) => {
                out.push(A::SendDpr(self.side()));
                self.state = S::Closing;
            }
            (S::ROpen | S::IOpen, E::RcvDpr(side)) if side == self.side() => {
                out.push(A::SendDpa(side));
                self.state = S::Closing;
            }
            (S::ROpen | S::IOpen, E::PeerDisc(side)) if side == self.side() => {
                out.push(A::Disconnect(side));
                self.state = S::Closed;
            }

            // Closing
            (S::Closing, E::RcvDpa(side)) | (S::Closing, E::PeerDisc(side)) => {
                out.push(A::Disconnect(side));
                self.state = S::Closed;
            }
            (S::Closing, E::Timeout) => {
                out.push(A::Error);
                self.state = S::Closed;
            }
            (S::Closing, E::RConnCer { conn, .. }) => {
                out.push(A::Reject(conn));
            }

            // Beyond the table: a stop before the peer is open drops what is in progress.
            (S::WaitConnAck | S::WaitICea | S::WaitConnAckElect | S::WaitReturns, E::Stop) => {
                out.push(A::Error);
                self.state = S::Closed;
            }
            // Anything else does not apply in this state and is ignored.
            _ => {}
        }
    }

    /// The side carrying traffic in an open or closing state.
    fn side(&self) -> Side {
        if self.r_conn.is_some() {
            Side::R
        } else {
            Side::I
        }
    }

    /// R-Accept and Process-CER for a CER arriving while our own connection is in
    /// progress. A CER that failed the capability check is answered and closed.
    fn accept(
        &mut self,
        conn: ConnId,
        origin_host: String,
        result_code: u32,
        out: &mut Vec<Action>,
    ) -> bool {
        if result_code != DIAMETER_SUCCESS {
            out.push(Action::SendCea { conn, result_code });
            out.push(Action::Reject(conn));
            return false;
        }
        out.push(Action::Accept(conn));
        self.r_conn = Some(conn);
        self.r_host = Some(origin_host);
        true
    }

    /// Elect: when we win, Win-Election follows at once.
    fn elect(&mut self, out: &mut Vec<Action>) {
        let won = self
            .r_host
            .as_deref()
            .is_some_and(|peer| self.wins_election(peer));
        if won {
            self.step(Event::WinElection, out);
        }
    }

    /// Close the responder-side connection and forget it.
    fn drop_r(&mut self, out: &mut Vec<Action>) {
        out.push(Action::Disconnect(Side::R));
        self.r_conn = None;
        self.r_host = None;
    }

    fn send_r_cea(&self, out: &mut Vec<Action>) {
        if let Some(conn) = self.r_conn {
            out.push(Action::SendCea {
                conn,
                result_code: DIAMETER_SUCCESS,
            });
        }
    }
}
