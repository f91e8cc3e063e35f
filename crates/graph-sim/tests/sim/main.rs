//! The simulator over real HTTP on loopback, as the app's Graph client will see it.
//! One test binary (modules below) so the suite links once.

mod applications;
mod batch;
mod binary;
mod common;
mod counts;
mod delta;
mod device_code;
mod faults;
mod people;
mod token;
mod user_writes;
mod users;
