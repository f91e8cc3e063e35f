//! Seeded fault injection: the trouble a real Graph client must survive.

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};

/// Fault rates for `/v1.0` requests (never the token endpoint). Rates are probabilities
/// in 0..=1; values outside are clamped.
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
}

/// What happens to one request instead of its normal reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fault {
    Unavailable,
    Throttled,
    Dropped,
    Malformed,
}

/// The current rates and the RNG that draws against them. One RNG for the whole
/// simulator, so a given seed and request sequence always gives the same faults.
pub(crate) struct FaultInjector {
    faults: Faults,
    rng: StdRng,
}

impl FaultInjector {
    pub(crate) fn new(seed: u64) -> Self {
        FaultInjector {
            faults: Faults::default(),
            rng: StdRng::seed_from_u64(seed),
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
        chosen
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
