//! Every row of the RFC 6733 §5.6 peer state machine table that applies to TCP, the
//! election, and the RFC 3539 watchdog, driven as pure code.

use std::time::Duration;

use diameter_runtime::peer::watchdog::tw;
use diameter_runtime::peer::{
    Action as A, Event as E, PeerFsm, Side, State as S, Watchdog, WatchdogAction as W,
    WatchdogEvent as WE, WatchdogState as WS,
};

const OK: u32 = 2001;
/// Our Origin-Host: it loses the election against `HIGHER` and wins against `LOWER`.
/// A change between two timed states re-arms the state timer.
const LOCAL: &str = "mmm.example";
const HIGHER: &str = "zzz.example";
const LOWER: &str = "000.example";

fn cer(conn: u64, host: &str) -> E {
    E::RConnCer {
        conn,
        origin_host: host.to_string(),
        result_code: OK,
    }
}

/// A machine brought to `state` through the table's own transitions.
fn in_state(state: S) -> PeerFsm {
    let mut fsm = PeerFsm::new(LOCAL);
    let events: Vec<E> = match state {
        S::Closed => vec![],
        S::WaitConnAck => vec![E::Start],
        S::WaitICea => vec![E::Start, E::IRcvConnAck],
        S::WaitConnAckElect => vec![E::Start, cer(1, HIGHER)],
        // We lose the election, so the machine stays in Wait-Returns.
        S::WaitReturns => vec![E::Start, E::IRcvConnAck, cer(1, HIGHER)],
        S::ROpen => vec![cer(1, HIGHER)],
        S::IOpen => vec![E::Start, E::IRcvConnAck, E::IRcvCea { accepted: true }],
        S::Closing => vec![cer(1, HIGHER), E::Stop],
    };
    for e in events {
        fsm.handle(e);
    }
    assert_eq!(fsm.state(), state, "setup reached the wrong state");
    fsm
}

fn check(from: S, event: E, actions: &[A], to: S) {
    let mut fsm = in_state(from);
    let got = fsm.handle(event.clone());
    assert_eq!(got, actions, "{from:?} + {event:?}: actions");
    assert_eq!(fsm.state(), to, "{from:?} + {event:?}: new state");
}

#[test]
fn closed() {
    check(
        S::Closed,
        E::Start,
        &[A::Connect, A::SetTimer],
        S::WaitConnAck,
    );
    check(
        S::Closed,
        cer(7, HIGHER),
        &[
            A::Accept(7),
            A::SendCea {
                conn: 7,
                result_code: OK,
            },
            A::Up(Side::R),
        ],
        S::ROpen,
    );
}

#[test]
fn closed_cer_failing_the_capability_check_is_answered_and_closed() {
    check(
        S::Closed,
        E::RConnCer {
            conn: 3,
            origin_host: HIGHER.into(),
            result_code: 5010,
        },
        &[
            A::SendCea {
                conn: 3,
                result_code: 5010,
            },
            A::Reject(3),
        ],
        S::Closed,
    );
}

#[test]
fn wait_conn_ack() {
    check(
        S::WaitConnAck,
        E::IRcvConnAck,
        &[A::SendCer, A::SetTimer],
        S::WaitICea,
    );
    check(
        S::WaitConnAck,
        E::IRcvConnNack,
        &[A::Error, A::CancelTimer],
        S::Closed,
    );
    check(
        S::WaitConnAck,
        cer(2, HIGHER),
        &[A::Accept(2), A::SetTimer],
        S::WaitConnAckElect,
    );
    check(
        S::WaitConnAck,
        E::Timeout,
        &[A::Error, A::CancelTimer],
        S::Closed,
    );
}

#[test]
fn wait_i_cea() {
    check(
        S::WaitICea,
        E::IRcvCea { accepted: true },
        &[A::Up(Side::I), A::CancelTimer],
        S::IOpen,
    );
    check(
        S::WaitICea,
        E::IRcvCea { accepted: false },
        &[A::Disconnect(Side::I), A::CancelTimer],
        S::Closed,
    );
    // R-Conn-CER: accept, process, elect; we lose, so Wait-Returns.
    check(
        S::WaitICea,
        cer(2, HIGHER),
        &[A::Accept(2), A::SetTimer],
        S::WaitReturns,
    );
    check(
        S::WaitICea,
        E::PeerDisc(Side::I),
        &[A::Disconnect(Side::I), A::CancelTimer],
        S::Closed,
    );
    check(
        S::WaitICea,
        E::IRcvNonCea,
        &[A::Error, A::CancelTimer],
        S::Closed,
    );
    check(
        S::WaitICea,
        E::Timeout,
        &[A::Error, A::CancelTimer],
        S::Closed,
    );
}

#[test]
fn wait_i_cea_cer_from_a_lower_host_wins_the_election_at_once() {
    check(
        S::WaitICea,
        cer(2, LOWER),
        &[
            A::Accept(2),
            A::Disconnect(Side::I),
            A::SendCea {
                conn: 2,
                result_code: OK,
            },
            A::Up(Side::R),
            A::CancelTimer,
        ],
        S::ROpen,
    );
}

#[test]
fn wait_conn_ack_elect() {
    // I-Rcv-Conn-Ack: send CER, elect (lost against a higher host).
    check(
        S::WaitConnAckElect,
        E::IRcvConnAck,
        &[A::SendCer, A::SetTimer],
        S::WaitReturns,
    );
    check(
        S::WaitConnAckElect,
        E::IRcvConnNack,
        &[
            A::SendCea {
                conn: 1,
                result_code: OK,
            },
            A::Up(Side::R),
            A::CancelTimer,
        ],
        S::ROpen,
    );
    check(
        S::WaitConnAckElect,
        E::PeerDisc(Side::R),
        &[A::Disconnect(Side::R), A::SetTimer],
        S::WaitConnAck,
    );
    check(
        S::WaitConnAckElect,
        cer(9, HIGHER),
        &[A::Reject(9)],
        S::WaitConnAckElect,
    );
    check(
        S::WaitConnAckElect,
        E::Timeout,
        &[A::Error, A::CancelTimer],
        S::Closed,
    );
}

#[test]
fn wait_conn_ack_elect_won_on_conn_ack() {
    let mut fsm = PeerFsm::new(LOCAL);
    fsm.handle(E::Start);
    fsm.handle(cer(4, LOWER));
    assert_eq!(fsm.state(), S::WaitConnAckElect);
    let got = fsm.handle(E::IRcvConnAck);
    assert_eq!(
        got,
        [
            A::SendCer,
            A::Disconnect(Side::I),
            A::SendCea {
                conn: 4,
                result_code: OK
            },
            A::Up(Side::R),
            A::CancelTimer,
        ]
    );
    assert_eq!(fsm.state(), S::ROpen);
}

#[test]
fn wait_returns() {
    check(
        S::WaitReturns,
        E::WinElection,
        &[
            A::Disconnect(Side::I),
            A::SendCea {
                conn: 1,
                result_code: OK,
            },
            A::Up(Side::R),
            A::CancelTimer,
        ],
        S::ROpen,
    );
    check(
        S::WaitReturns,
        E::PeerDisc(Side::I),
        &[
            A::Disconnect(Side::I),
            A::SendCea {
                conn: 1,
                result_code: OK,
            },
            A::Up(Side::R),
            A::CancelTimer,
        ],
        S::ROpen,
    );
    check(
        S::WaitReturns,
        E::IRcvCea { accepted: true },
        &[A::Disconnect(Side::R), A::Up(Side::I), A::CancelTimer],
        S::IOpen,
    );
    check(
        S::WaitReturns,
        E::PeerDisc(Side::R),
        &[A::Disconnect(Side::R), A::SetTimer],
        S::WaitICea,
    );
    check(
        S::WaitReturns,
        cer(5, HIGHER),
        &[A::Reject(5)],
        S::WaitReturns,
    );
    check(
        S::WaitReturns,
        E::Timeout,
        &[A::Error, A::CancelTimer],
        S::Closed,
    );
}

#[test]
fn open_states() {
    for (state, side) in [(S::ROpen, Side::R), (S::IOpen, Side::I)] {
        check(state, E::SendMessage, &[A::SendMessage(side)], state);
        check(state, E::RcvMessage(side), &[A::Process(side)], state);
        check(state, E::RcvDwr(side), &[A::SendDwa(side)], state);
        check(state, E::RcvDwa(side), &[A::ProcessDwa(side)], state);
        check(state, cer(8, HIGHER), &[A::Reject(8)], state);
        check(
            state,
            E::Stop,
            &[A::SendDpr(side), A::Down, A::SetTimer],
            S::Closing,
        );
        check(
            state,
            E::RcvDpr(side),
            &[A::SendDpa(side), A::Down, A::SetTimer],
            S::Closing,
        );
        check(
            state,
            E::PeerDisc(side),
            &[A::Disconnect(side), A::Down],
            S::Closed,
        );
    }
}

#[test]
fn closing() {
    check(
        S::Closing,
        E::RcvDpa(Side::R),
        &[A::Disconnect(Side::R), A::CancelTimer],
        S::Closed,
    );
    check(
        S::Closing,
        E::PeerDisc(Side::R),
        &[A::Disconnect(Side::R), A::CancelTimer],
        S::Closed,
    );
    check(
        S::Closing,
        E::Timeout,
        &[A::Error, A::CancelTimer],
        S::Closed,
    );

    // The same rows on our own connection.
    let mut fsm = in_state(S::IOpen);
    fsm.handle(E::Stop);
    assert_eq!(
        fsm.handle(E::RcvDpa(Side::I)),
        [A::Disconnect(Side::I), A::CancelTimer]
    );
    let mut fsm = in_state(S::IOpen);
    fsm.handle(E::Stop);
    assert_eq!(
        fsm.handle(E::PeerDisc(Side::I)),
        [A::Disconnect(Side::I), A::CancelTimer]
    );
}

#[test]
fn stop_before_open_drops_the_attempt() {
    for state in [
        S::WaitConnAck,
        S::WaitICea,
        S::WaitConnAckElect,
        S::WaitReturns,
    ] {
        check(state, E::Stop, &[A::Error, A::CancelTimer], S::Closed);
    }
    check(S::Closed, E::Stop, &[], S::Closed);
}

#[test]
fn events_that_do_not_apply_change_nothing() {
    check(S::Closed, E::Timeout, &[], S::Closed);
    check(S::Closed, E::RcvMessage(Side::R), &[], S::Closed);
    check(S::IOpen, E::RcvMessage(Side::R), &[], S::IOpen);
    check(
        S::WaitConnAck,
        E::IRcvCea { accepted: true },
        &[],
        S::WaitConnAck,
    );
}

#[test]
fn election_compares_origin_hosts_case_insensitively() {
    let fsm = PeerFsm::new("B.example");
    assert!(fsm.wins_election("a.example"));
    assert!(!fsm.wins_election("c.EXAMPLE"));
    assert!(!fsm.wins_election("b.example"), "a tie is not a win");
}

// ---- RFC 3539 watchdog ----

fn watchdog_in(state: WS) -> Watchdog {
    let mut wd = Watchdog::new();
    let events: &[WE] = match state {
        WS::Initial => &[],
        WS::Okay => &[WE::ConnectionUp],
        WS::Suspect => &[WE::ConnectionUp, WE::TimerExpired, WE::TimerExpired],
        WS::Down => &[WE::ConnectionUp, WE::ConnectionDown],
        WS::Reopen => &[WE::ConnectionUp, WE::ConnectionDown, WE::ConnectionUp],
    };
    for e in events {
        wd.handle(*e);
    }
    assert_eq!(wd.state(), state);
    wd
}

fn wd_check(from: WS, event: WE, actions: &[W], to: WS) -> Watchdog {
    let mut wd = watchdog_in(from);
    assert_eq!(wd.handle(event), actions, "{from:?} + {event:?}");
    assert_eq!(wd.state(), to, "{from:?} + {event:?}");
    wd
}

#[test]
fn watchdog_okay() {
    wd_check(WS::Initial, WE::ConnectionUp, &[W::SetTimer], WS::Okay);
    let wd = wd_check(
        WS::Okay,
        WE::TimerExpired,
        &[W::SendDwr, W::SetTimer],
        WS::Okay,
    );
    assert!(wd.pending());
    let mut wd = watchdog_in(WS::Okay);
    wd.handle(WE::TimerExpired);
    assert_eq!(wd.handle(WE::ReceiveDwa), [W::SetTimer]);
    assert!(!wd.pending());
    wd_check(WS::Okay, WE::ReceiveOther, &[W::SetTimer], WS::Okay);
    wd_check(
        WS::Okay,
        WE::ConnectionDown,
        &[W::Failover, W::SetTimer],
        WS::Down,
    );
    assert!(watchdog_in(WS::Okay).routable());
}

#[test]
fn watchdog_suspect_then_down() {
    let mut wd = watchdog_in(WS::Okay);
    wd.handle(WE::TimerExpired);
    assert_eq!(
        wd.handle(WE::TimerExpired),
        [W::Failover, W::SetTimer],
        "a second Tw without DWA"
    );
    assert_eq!(wd.state(), WS::Suspect);
    assert!(!wd.routable());
    wd_check(
        WS::Suspect,
        WE::TimerExpired,
        &[W::CloseConnection, W::SetTimer],
        WS::Down,
    );
    wd_check(
        WS::Suspect,
        WE::ConnectionDown,
        &[W::CloseConnection, W::SetTimer],
        WS::Down,
    );
    wd_check(
        WS::Suspect,
        WE::ReceiveDwa,
        &[W::Failback, W::SetTimer],
        WS::Okay,
    );
    wd_check(
        WS::Suspect,
        WE::ReceiveOther,
        &[W::Failback, W::SetTimer],
        WS::Okay,
    );
}

#[test]
fn watchdog_down_and_reopen_after_three_dwas() {
    wd_check(
        WS::Down,
        WE::TimerExpired,
        &[W::AttemptOpen, W::SetTimer],
        WS::Down,
    );
    let mut wd = wd_check(
        WS::Down,
        WE::ConnectionUp,
        &[W::SendDwr, W::SetTimer],
        WS::Reopen,
    );
    assert!(!wd.routable());
    assert_eq!(wd.handle(WE::ReceiveDwa), []);
    assert_eq!(wd.handle(WE::TimerExpired), [W::SendDwr, W::SetTimer]);
    assert_eq!(wd.handle(WE::ReceiveDwa), []);
    assert_eq!(wd.state(), WS::Reopen);
    assert_eq!(wd.handle(WE::ReceiveOther), [], "only DWAs count");
    wd.handle(WE::TimerExpired);
    assert_eq!(wd.handle(WE::ReceiveDwa), [W::Failback]);
    assert_eq!(wd.state(), WS::Okay);
    assert!(wd.routable());
}

#[test]
fn watchdog_reopen_gives_up_after_two_silent_tw() {
    let mut wd = watchdog_in(WS::Reopen);
    assert_eq!(wd.handle(WE::TimerExpired), [W::SetTimer]);
    assert_eq!(wd.state(), WS::Reopen);
    assert_eq!(
        wd.handle(WE::TimerExpired),
        [W::CloseConnection, W::SetTimer]
    );
    assert_eq!(wd.state(), WS::Down);
    wd_check(
        WS::Reopen,
        WE::ConnectionDown,
        &[W::CloseConnection, W::SetTimer],
        WS::Down,
    );
}

#[test]
fn watchdog_reset_after_a_clean_disconnect() {
    let mut wd = watchdog_in(WS::Down);
    wd.reset();
    assert_eq!(wd.state(), WS::Initial);
    assert_eq!(wd.handle(WE::ConnectionUp), [W::SetTimer]);
}

#[test]
fn tw_jitter_stays_within_two_seconds() {
    let twinit = Duration::from_secs(30);
    for r in [0u64, 1, 123_456, 4_000_000, u64::MAX] {
        let t = tw(twinit, r);
        assert!(
            t >= Duration::from_secs(28) && t <= Duration::from_secs(32),
            "{t:?}"
        );
    }
    assert_eq!(tw(twinit, 0), Duration::from_secs(28));
    assert_eq!(tw(twinit, 4_000_000), Duration::from_secs(32));
    // Short test intervals get a quarter of Tw as jitter.
    let t = tw(Duration::from_millis(400), u64::MAX);
    assert!(t >= Duration::from_millis(300) && t <= Duration::from_millis(500));
}
