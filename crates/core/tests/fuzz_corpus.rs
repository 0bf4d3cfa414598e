//! The fuzz corpus of `access_policy` (`fuzz/corpus/access_policy/`, and the crashes once found
//! in `fuzz/regressions/access_policy/`), replayed through the function the fuzz target calls:
//! what the fuzzer found stays checked on stable, in every `cargo test`.

use perspectief_core::fuzzing::access_policy;

#[path = "../../../fuzz/replay.rs"]
mod replay;

use replay::{fuzz_dir, replay};

#[test]
fn the_access_policy_fuzz_corpus_keeps_to_the_documented_matrix() {
    replay("access_policy", access_policy);
}

/// Seed inputs: one per role and resource kind, for a few actions, organisations and consents.
/// Byte layout (see `perspectief_core::fuzzing`): role, organisation, user, action, day,
/// resource, category, project worker, addressee, referral status, reviewed user, number of
/// consents, then per consent its organisation, category bits, day given and withdrawal.
#[test]
#[ignore = "writes seed inputs into fuzz/corpus/access_policy; run by hand when the byte layout changes"]
fn write_access_policy_seeds() {
    let dir = fuzz_dir().join("corpus/access_policy");
    std::fs::create_dir_all(&dir).unwrap();
    for role in 0..6u8 {
        for resource in 0..17u8 {
            for (org, action, category, consent) in
                [(0u8, 0u8, 0u8, false), (1, 0, 5, true), (2, 1, 2, true), (0, 3, 4, false), (1, 4, 6, true)]
            {
                let count = u8::from(consent);
                let mut seed = vec![role, org, 0, action, 0, resource, category, 0, org, 1, 1, count];
                if consent {
                    // Every category, given two weeks ago, not withdrawn.
                    seed.extend([org, 0x7f, 0xf2, 0]);
                }
                std::fs::write(dir.join(format!("seed-{role}-{resource}-{org}-{action}-{category}")), seed).unwrap();
            }
        }
    }
}
