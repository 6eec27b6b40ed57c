use rand::RngExt;

use super::engine::ShortestQueue;
use super::*;
use crate::catalog::Catalog;
use crate::workload::serving::roofline::model;

fn config(max_batch: u32, replicas: u32) -> ServeConfig {
    let c = Catalog::builtin();
    ServeConfig {
        replica: Replica::new(
            model("llama-3.1-8b").unwrap().spec,
            c.chip("h100").unwrap(),
            1,
        )
        .unwrap(),
        replicas,
        max_batch,
        routing: Routing::LeastLoaded,
        prefill: Prefill::Whole,
    }
}

fn req(arrival: f64, input: u32, output: u32) -> TraceRequest {
    TraceRequest {
        arrival,
        input_tokens: input,
        output_tokens: output,
    }
}

#[test]
fn one_request_by_hand() {
    let cfg = config(8, 1);
    let r = &cfg.replica;
    let reqs = [req(1.0, 100, 3)];
    let run = simulate(&cfg, &reqs).unwrap();
    // Iteration 1: prefill of 100 tokens → first token.
    let t1 = 1.0 + r.prefill_time(100.0);
    assert_eq!(run.first_token[0], t1);
    // Iteration 2: decode with context 101; iteration 3: context 102.
    let t3 = t1 + r.decode_step(1.0, 101.0) + r.decode_step(1.0, 102.0);
    assert_eq!(run.finish[0], t3);
    assert_eq!((run.iterations, run.decode_steps), (3, 2));
}

#[test]
fn second_request_joins_at_the_next_iteration() {
    let cfg = config(8, 1);
    let r = &cfg.replica;
    // B arrives during A's prefill, so it is admitted at the next
    // iteration, whose duration is B's prefill plus A's decode step.
    let a_first = r.prefill_time(100.0);
    let reqs = [req(0.0, 100, 2), req(a_first / 2.0, 50, 1)];
    let run = simulate(&cfg, &reqs).unwrap();
    assert_eq!(run.first_token[0], a_first);
    // The iteration's duration is summed before it is added to the clock.
    let end2 = a_first + (r.prefill_time(50.0) + r.decode_step(1.0, 101.0));
    assert_eq!(run.finish[0], end2);
    assert_eq!(run.first_token[1], end2);
    assert_eq!(run.finish[1], end2);
}

/// Issue 24 item 5: the least-loaded run with decode stretches gives
/// the iteration-by-iteration loop's results bit for bit — ties in time
/// (whole-second arrivals, equal sizes), batch caps and a KV cache that
/// blocks the head of a queue included.
#[test]
fn stretches_give_the_stepwise_results_bit_for_bit() {
    use rand::SeedableRng;
    let mut rng = rand::rngs::StdRng::seed_from_u64(24);
    let mut hits = 0;
    for case in 0..200 {
        let replicas = rng.random_range(1..=6);
        let max_batch = rng.random_range(1..=5);
        let mut cfg = config(max_batch, replicas);
        // Every third case a KV cache of a few thousand tokens.
        if case % 3 == 0 {
            let tokens = rng.random_range(2_000..20_000) as f64;
            cfg.replica.hbm =
                cfg.replica.model.weight_bytes() + tokens * cfg.replica.model.kv_bytes_per_token;
        }
        // Most cases chunk, with budgets that split the prompts.
        if case % 5 != 0 {
            cfg.prefill = Prefill::Chunked {
                budget: rng.random_range(max_batch..2_000),
            };
        }
        let n = rng.random_range(1..120);
        let mut t = 0.0;
        let reqs: Vec<TraceRequest> = (0..n)
            .map(|_| {
                t += if case % 2 == 0 {
                    f64::from(rng.random_range(0..2u32))
                } else {
                    rng.random::<f64>() * 0.05
                };
                let (input, output) = if case % 4 == 1 {
                    (100, 20)
                } else {
                    (rng.random_range(0..3_000), rng.random_range(0..300))
                };
                req(t, input, output)
            })
            .collect();
        let transferred = case % 7 == 3;
        let fast = run_least_loaded(&cfg, &reqs, None, transferred);
        let stepwise = run_stepwise(&cfg, &reqs, None, transferred);
        assert!(fast.same_results(&stepwise), "case {case}");
        assert_eq!(fast.prefill_iterations, stepwise.prefill_iterations);
        // With prefix caching: prompts that share the blocks of one of
        // a few conversations, up to their own length; least-loaded
        // and cached-prefix routing.
        let block_tokens = rng.random_range(16..600);
        let mut blocks = BlockHashes::new();
        for r in &reqs {
            let conversation = rng.random_range(0..4u64);
            let n = u64::from(r.input_tokens.div_ceil(block_tokens));
            blocks.push((0..n).map(|k| conversation * 1_000 + k));
        }
        let caching = Some(PrefixCaching {
            blocks: &blocks,
            block_tokens,
        });
        for routing in [Routing::LeastLoaded, Routing::CachedPrefix] {
            cfg.routing = routing;
            let fast = run_least_loaded(&cfg, &reqs, caching, false);
            let stepwise = run_stepwise(&cfg, &reqs, caching, false);
            assert!(fast.same_results(&stepwise), "case {case} {routing:?}");
            assert_eq!(fast.prefill_iterations, stepwise.prefill_iterations);
            if let Some(p) = fast.prefix {
                hits += p.blocks_hit;
            }
        }
        cfg.routing = Routing::LeastLoaded;
    }
    assert!(hits > 0, "no case found a cached block");
}

/// Issue 21 item 4: a prefix hit skips exactly its blocks, by hand.
/// One Llama-3.1-8B replica on an H100, blocks of 512 tokens, each
/// request arriving after the one before has finished (1 output token):
///
/// - A (prompt 1,000, blocks [1, 2]) finds nothing: TTFT `prefill(1000)`;
///   its two blocks enter the cache.
/// - B (1,200, [1, 3, 4]) finds block 1 (its second differs): 512
///   tokens skipped, TTFT `prefill(688)`.
/// - C (1,000, [1, 2], A's prompt) finds both blocks, 1,024 tokens, but
///   its last prompt token is always computed: 999 skipped, TTFT
///   `prefill(1)`.
/// - D (700, [5, 2]) finds nothing (its first block differs, so block 2
///   is no prefix of it): TTFT `prefill(700)`.
///
/// Blocks: 9 looked up, 3 found; tokens 3,900 looked up, 1,511 skipped.
#[test]
fn a_prefix_hit_skips_exactly_its_blocks() {
    let mut cfg = config(8, 1);
    cfg.replica = Replica::new(
        model("llama-3.1-8b").unwrap().spec,
        Catalog::builtin().chip("h100").unwrap(),
        1,
    )
    .unwrap();
    let r = cfg.replica.clone();
    let reqs = [
        req(0.0, 1_000, 1),
        req(10.0, 1_200, 1),
        req(20.0, 1_000, 1),
        req(30.0, 700, 1),
    ];
    let mut blocks = BlockHashes::new();
    for b in [&[1, 2][..], &[1, 3, 4], &[1, 2], &[5, 2]] {
        blocks.push(b.iter().copied());
    }
    let caching = PrefixCaching {
        blocks: &blocks,
        block_tokens: 512,
    };
    for prefill in [Prefill::Whole, Prefill::default()] {
        cfg.prefill = prefill;
        let run = simulate_cached(&cfg, &reqs, Some(caching)).unwrap();
        assert_eq!(
            run.first_token,
            vec![
                r.prefill_time(1_000.0),
                10.0 + r.prefill_time(688.0),
                20.0 + r.prefill_time(1.0),
                30.0 + r.prefill_time(700.0)
            ],
            "{prefill:?}"
        );
        assert_eq!(run.cached_tokens, vec![0, 512, 999, 0]);
        let p = run.prefix.unwrap();
        assert_eq!(
            (p.blocks, p.blocks_hit, p.tokens, p.tokens_hit),
            (9, 3, 3_900, 1_511)
        );
        assert_eq!(p.block_hit_rate(), 3.0 / 9.0);
        // Without the cache every prompt is prefilled whole.
        let plain = simulate(&cfg, &reqs).unwrap();
        assert_eq!(plain.first_token[2], 20.0 + r.prefill_time(1_000.0));
        assert!(plain.prefix.is_none() && plain.cached_tokens.is_empty());
    }
}

/// The cache holds only the KV cache's free part: with room for 2,048
/// tokens (4 blocks of 512) an E of 1,500 prompt tokens leaves one
/// block's room while it runs, so A's blocks are evicted (the least
/// recently used first) and E keeps only its first block; F, A's
/// prompt again, then finds nothing. With a large KV cache F finds
/// A's two blocks.
#[test]
fn the_cache_is_bounded_by_the_free_kv_cache() {
    let mut cfg = config(8, 1);
    let reqs = [req(0.0, 1_000, 1), req(10.0, 1_500, 1), req(20.0, 1_000, 1)];
    let mut blocks = BlockHashes::new();
    for b in [&[1, 2][..], &[7, 8, 9], &[1, 2]] {
        blocks.push(b.iter().copied());
    }
    let caching = Some(PrefixCaching {
        blocks: &blocks,
        block_tokens: 512,
    });
    let run = simulate_cached(&cfg, &reqs, caching).unwrap();
    assert_eq!(run.cached_tokens, vec![0, 0, 999]);
    cfg.replica.hbm =
        cfg.replica.model.weight_bytes() + 2_048.0 * cfg.replica.model.kv_bytes_per_token;
    assert_eq!(cfg.replica.kv_capacity_tokens(), 2_048);
    let run = simulate_cached(&cfg, &reqs, caching).unwrap();
    assert_eq!(run.cached_tokens, vec![0, 0, 0]);
    assert_eq!(run.first_token[2], 20.0 + cfg.replica.prefill_time(1_000.0));
}

/// Cached-prefix routing sends a request to the replica holding its
/// prefix, where least-loaded routing sends it to the idle one.
#[test]
fn cached_prefix_routing_prefers_the_holder() {
    let mut cfg = config(8, 2);
    // A decodes 2,000 tokens on replica 0; B shares A's first block.
    let reqs = [req(0.0, 1_000, 2_000), req(1.0, 1_000, 1)];
    let mut blocks = BlockHashes::new();
    blocks.push([1, 2]);
    blocks.push([1, 3]);
    let caching = Some(PrefixCaching {
        blocks: &blocks,
        block_tokens: 512,
    });
    let run = simulate_cached(&cfg, &reqs, caching).unwrap();
    assert_eq!(
        (run.replica.clone(), run.cached_tokens),
        (vec![0, 1], vec![0, 0])
    );
    cfg.routing = Routing::CachedPrefix;
    let run = simulate_cached(&cfg, &reqs, caching).unwrap();
    assert_eq!(
        (run.replica.clone(), run.cached_tokens),
        (vec![0, 0], vec![0, 512])
    );
    // Block hashes for another number of requests are refused.
    let mut short = BlockHashes::new();
    short.push([1]);
    let e = simulate_cached(
        &cfg,
        &reqs,
        Some(PrefixCaching {
            blocks: &short,
            block_tokens: 512,
        }),
    );
    assert_eq!(
        e,
        Err(ServeError::BlockCount {
            blocks: 1,
            requests: 2
        })
    );
}

/// The tournament tree names the replica a linear scan would: fewest
/// outstanding, ties to the lowest index.
#[test]
fn the_shortest_queue_is_the_scans() {
    use rand::SeedableRng;
    let mut rng = rand::rngs::StdRng::seed_from_u64(5);
    for replicas in [1usize, 2, 3, 7, 8, 9, 100] {
        let mut counts = vec![0u32; replicas];
        let mut tree = ShortestQueue::new(replicas);
        for _ in 0..1_000 {
            let i = rng.random_range(0..replicas);
            counts[i] = rng.random_range(0..4);
            tree.set(i as u32, counts[i]);
            let mut best = 0;
            for (k, &c) in counts.iter().enumerate() {
                if c < counts[best] {
                    best = k;
                }
            }
            assert_eq!(tree.shortest() as usize, best);
        }
    }
}

/// Issue 21 item 3: chunked prefill by hand. Budget 100 tokens per
/// iteration, batch cap 8. A (prompt 150, 3 output tokens) arrives at
/// 0, B (prompt 30, 2 output tokens) at 0 too.
///
/// - it. 1 (starts 0): no decodes; A's first 100 tokens (budget 100,
///   nothing left for B): `prefill(100)`.
/// - it. 2: A's last 50, then B's 30 whole (20 left): `prefill(80)`;
///   A and B yield their first tokens at its end.
/// - it. 3: decodes of A (context 151) and B (context 31), 182 in all:
///   `decode(2, 182)`; B's second token is its last: B finishes.
/// - it. 4: A alone, context 152: `decode(1, 152)`; A finishes.
#[test]
fn chunked_prefill_by_hand() {
    let mut cfg = config(8, 1);
    cfg.prefill = Prefill::Chunked { budget: 100 };
    let r = cfg.replica.clone();
    let reqs = [req(0.0, 150, 3), req(0.0, 30, 2)];
    for routing in [Routing::LeastLoaded, Routing::SharedQueue] {
        cfg.routing = routing;
        let run = simulate(&cfg, &reqs).unwrap();
        let t1 = r.prefill_time(100.0);
        let t2 = t1 + r.prefill_time(80.0);
        let t3 = t2 + r.decode_step(2.0, 182.0);
        let t4 = t3 + r.decode_step(1.0, 152.0);
        assert_eq!(run.first_token, vec![t2, t2], "{routing:?}");
        assert_eq!(run.finish, vec![t4, t3], "{routing:?}");
        assert_eq!(
            (run.iterations, run.prefill_iterations, run.decode_steps),
            (4, 2, 2)
        );
        // Whole prefills: both prompts in iteration 1, 180 tokens.
        let mut whole = cfg.clone();
        whole.prefill = Prefill::Whole;
        let run = simulate(&whole, &reqs).unwrap();
        let w1 = r.prefill_time(180.0);
        assert_eq!(run.first_token, vec![w1, w1]);
    }
}

/// A budget below the batch cap is refused: the decodes alone could
/// exceed it.
#[test]
fn a_budget_below_the_batch_cap_is_refused() {
    let mut cfg = config(8, 1);
    cfg.prefill = Prefill::Chunked { budget: 7 };
    assert_eq!(
        simulate(&cfg, &[req(0.0, 1, 1)]),
        Err(ServeError::SmallBudget {
            budget: 7,
            max_batch: 8
        })
    );
}

#[test]
fn percentiles_interpolate() {
    let v = [1.0, 2.0, 3.0, 4.0, 5.0];
    assert_eq!(percentile(&v, 50.0), 3.0);
    assert_eq!(percentile(&v, 90.0), 4.6);
}
