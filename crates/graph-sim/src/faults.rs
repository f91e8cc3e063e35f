//! Seeded fault injection: the trouble a real Graph client must survive.

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};

/// Fault rates for `/v1.0` requests (never the token endpoint, but for `slow_down_polls`).
/// Rates are probabilities in 0..=1; values outside are clamped.
#[derive(Clone, Copy, Debug, Default)]
pub struct Faults {
    /// Delay added before every `/v1.0` reply.
    pub latency_ms: u64,
    /// Probability of a 429, per request and per `$batch` item.
    pub throttle_rate: f64,
    /// `Retry-After` seconds on 429 and 503 replies; `None` sends no header.
    pub retry_after_secs: Option<f64>,
    /// Probability of a 503.
    pub unavailable_rate: f64,
    /// Probability that the connection breaks in the middle of the reply body.
    pub drop_rate: f64,
    /// Probability of a 200 whose body is not valid JSON.
    pub malformed_rate: f64,
    /// Probability that a 200 carries only the first half of its real JSON body, with a
    /// `Content-Length` that matches: a complete HTTP reply whose JSON is cut off.
    pub truncated_rate: f64,
    /// Probability that a read of one existing user (GET or `$batch` item) answers 200
    /// with another existing user's body.
    pub wrong_id_rate: f64,
    /// Probability that a read of one existing user (GET or `$batch` item) answers the
    /// documented 404 Request_ResourceNotFound, drawn anew on each read: 404s that come
    /// and go.
    pub flaky_not_found_rate: f64,
    /// Every `/users` and `/users/delta` page's `@odata.nextLink` points at that same
    /// page again (and no page carries a delta link): paging that never ends.
    pub self_linking_pages: bool,
    /// The next this many device code polls of the token endpoint answer `slow_down`,
    /// however long the client waited: a busy Entra asking it to poll less often.
    pub slow_down_polls: u32,
}

/// What happens to one request instead of its normal reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fault {
    Unavailable,
    Throttled,
    Dropped,
    Malformed,
    /// The handler runs; its 200 body is then cut in half.
    Truncated,
}

/// What happens to one read of an existing user instead of its normal reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ReadFault {
    NotFound,
    WrongUser,
}

/// The current rates and the RNGs that draw against them, seeded from the tenant's
/// seed, so a given seed and request sequence always gives the same faults.
pub(crate) struct FaultInjector {
    faults: Faults,
    rng: StdRng,
    /// For the faults added after the first four: their draws come from a stream of
    /// their own, so a seed gives the same throttling, outages, drops and malformed
    /// bodies as it did before they existed.
    later_rng: StdRng,
}

impl FaultInjector {
    pub(crate) fn new(seed: u64) -> Self {
        FaultInjector {
            faults: Faults::default(),
            rng: StdRng::seed_from_u64(seed),
            later_rng: StdRng::seed_from_u64(seed ^ 0x9e37_79b9_7f4a_7c15),
        }
    }

    pub(crate) fn set(&mut self, faults: Faults) {
        self.faults = faults;
    }

    pub(crate) fn faults(&self) -> Faults {
        self.faults
    }

    /// Decides the fate of one request. Draws the same number of values whatever the
    /// rates, so changing one rate does not reshuffle the others' outcomes.
    pub(crate) fn decide(&mut self) -> Option<Fault> {
        let f = self.faults;
        let draws: [(f64, Fault); 4] = [
            (f.unavailable_rate, Fault::Unavailable),
            (f.throttle_rate, Fault::Throttled),
            (f.drop_rate, Fault::Dropped),
            (f.malformed_rate, Fault::Malformed),
        ];
        let mut chosen = None;
        for (rate, fault) in draws {
            let hit = self.rng.random::<f64>() < rate.clamp(0.0, 1.0);
            if hit && chosen.is_none() {
                chosen = Some(fault);
            }
        }
        let truncated = hit(&mut self.later_rng, f.truncated_rate);
        chosen.or(truncated.then_some(Fault::Truncated))
    }

    /// Decides the fate of one read of an existing user. Two draws whatever the rates,
    /// as in `decide`.
    pub(crate) fn decide_read(&mut self) -> Option<ReadFault> {
        let not_found = hit(&mut self.later_rng, self.faults.flaky_not_found_rate);
        let wrong_user = hit(&mut self.later_rng, self.faults.wrong_id_rate);
        match (not_found, wrong_user) {
            (true, _) => Some(ReadFault::NotFound),
            (false, true) => Some(ReadFault::WrongUser),
            (false, false) => None,
        }
    }

    /// Whether this device code poll is told to slow down; uses up one of `slow_down_polls`.
    pub(crate) fn take_slow_down(&mut self) -> bool {
        let due = self.faults.slow_down_polls > 0;
        self.faults.slow_down_polls = self.faults.slow_down_polls.saturating_sub(1);
        due
    }

    /// Whether one `$batch` item is throttled.
    pub(crate) fn throttle_item(&mut self) -> bool {
        self.rng.random::<f64>() < self.faults.throttle_rate.clamp(0.0, 1.0)
    }

    /// `$batch` replies come back in any order; clients must match them by id.
    pub(crate) fn shuffle<T>(&mut self, items: &mut [T]) {
        items.shuffle(&mut self.rng);
    }
}

fn hit(rng: &mut StdRng, rate: f64) -> bool {
    rng.random::<f64>() < rate.clamp(0.0, 1.0)
}
