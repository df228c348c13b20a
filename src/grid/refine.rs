//! Adaptive refinement of a plane: which points each level trains.
//!
//! Runs live on the finest lattice, `(n-1)·2^L + 1` points per varying
//! axis for a level-0 axis of `n` points and `L` levels; level `k` is its
//! sub-lattice of stride `2^(L-k)`. Level 0 trains every one of its points.
//! Level `k+1` trains only its new points whose coarse cell has a
//! *boundary* corner: a level-`k` point whose label differs from one of its
//! 8 level-`k` neighbours. Every other new point is *filled*: it takes the
//! label its coarse cell's corners share (they do share it: each is a
//! neighbour of the others, and none of them is a boundary).
//!
//! What a level needs is a pure function of the labels stored for the
//! levels before it, so every process, shard and resumption computes the
//! same lists, and refined sweeps stay bit-identical across them.

use crate::classify::Label;

/// A refined plane's shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Refinement {
    pub levels: u32,
    /// The two varying axes (0..4 for a, b, c, d), in axis order.
    pub axes: [usize; 2],
    /// Finest-lattice points along them.
    pub size: [usize; 2],
}

/// How a point of the finest lattice got its label.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// Not known yet: its level has not been reached or not finished.
    Unknown,
    /// Trained (its run is stored).
    Run,
    /// Took the label of its coarse cell.
    Filled,
}

/// One level's counts (over the plane's finest points that level adds).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LevelCounts {
    /// Points that must be trained (all of level 0's).
    pub needed: u64,
    /// Of those, stored.
    pub done: u64,
    /// Points filled from their coarse cell.
    pub filled: u64,
    /// Share of this level's lattice points that are boundary points, once
    /// every one of them has a label.
    pub boundary: Option<f64>,
}

/// What is known of one plane (one variant, activation and replicate).
pub struct PlaneState {
    /// Label of every finest point, where known.
    pub labels: Vec<Option<Label>>,
    pub source: Vec<Source>,
    /// Per level reached: the points it trains, in point order (done or
    /// not: the list is the same for every process, whatever has run).
    pub needed: Vec<Vec<u64>>,
    pub counts: Vec<LevelCounts>,
    /// The first level not complete, `None` when all are.
    pub current: Option<u32>,
}

impl Refinement {
    /// Points of the finest lattice.
    pub fn points(&self) -> usize {
        self.size[0] * self.size[1]
    }

    /// Point number (row-major, the first varying axis slower) of `(u, v)`.
    pub fn point(&self, u: usize, v: usize) -> u64 {
        (u * self.size[1] + v) as u64
    }

    fn coords(&self, point: u64) -> (usize, usize) {
        let p = point as usize;
        (p / self.size[1], p % self.size[1])
    }

    /// Spacing of level `k` in finest points.
    pub fn stride(&self, level: u32) -> usize {
        1 << (self.levels - level)
    }

    /// Lattice points of level `k` along each axis.
    pub fn level_size(&self, level: u32) -> [usize; 2] {
        let s = self.stride(level);
        [(self.size[0] - 1) / s + 1, (self.size[1] - 1) / s + 1]
    }

    /// The level a finest point first appears at.
    pub fn level_of(&self, point: u64) -> u32 {
        let (u, v) = self.coords(point);
        let zeros = |i: usize| if i == 0 { u32::MAX } else { i.trailing_zeros() };
        self.levels - zeros(u).min(zeros(v)).min(self.levels)
    }

    /// The level-`(k-1)` point a point of level `k > 0` is filled from:
    /// the lower corner of its coarse cell (all corners share the label).
    pub fn fill_source(&self, point: u64) -> u64 {
        let level = self.level_of(point);
        debug_assert!(level > 0);
        let mask = !(self.stride(level - 1) - 1);
        let (u, v) = self.coords(point);
        self.point(u & mask, v & mask)
    }

    /// Works out, from the labels stored so far (`stored(point)`), every
    /// level that can be known and the points of the first one not done.
    pub fn plan(&self, stored: impl Fn(u64) -> Option<Label>) -> PlaneState {
        let mut state = PlaneState {
            labels: vec![None; self.points()],
            source: vec![Source::Unknown; self.points()],
            needed: Vec::new(),
            counts: Vec::new(),
            current: None,
        };
        for level in 0..=self.levels {
            let (needed, filled) = if level == 0 {
                (self.level_points(0).collect(), Vec::new())
            } else {
                self.split_new_points(level, &state.labels)
            };
            let mut counts = LevelCounts {
                needed: needed.len() as u64,
                filled: filled.len() as u64,
                ..LevelCounts::default()
            };
            for &(point, label) in &filled {
                state.labels[point as usize] = Some(label);
                state.source[point as usize] = Source::Filled;
            }
            for &point in &needed {
                if let Some(label) = stored(point) {
                    state.labels[point as usize] = Some(label);
                    state.source[point as usize] = Source::Run;
                    counts.done += 1;
                }
            }
            state.needed.push(needed);
            let complete = counts.done == counts.needed;
            if complete {
                counts.boundary = Some(self.boundary_share(level, &state.labels));
            }
            state.counts.push(counts);
            if !complete {
                state.current = Some(level);
                break;
            }
        }
        state
    }

    /// Every point of level `k`'s lattice, in point order.
    fn level_points(&self, level: u32) -> impl Iterator<Item = u64> + '_ {
        let s = self.stride(level);
        (0..self.size[0])
            .step_by(s)
            .flat_map(move |u| (0..self.size[1]).step_by(s).map(move |v| self.point(u, v)))
    }

    /// Level `k`'s new points, split into those to train and those filled
    /// (with their label); needs every label of level `k-1`.
    fn split_new_points(
        &self,
        level: u32,
        labels: &[Option<Label>],
    ) -> (Vec<u64>, Vec<(u64, Label)>) {
        let coarse = self.stride(level - 1);
        let half = coarse / 2;
        let boundary = self.boundary_points(level - 1, labels);
        let cv = self.level_size(level - 1)[1];
        let is_boundary = |u: usize, v: usize| boundary[(u / coarse) * cv + v / coarse];
        let (mut run, mut filled) = (Vec::new(), Vec::new());
        for u in (0..self.size[0]).step_by(half) {
            for v in (0..self.size[1]).step_by(half) {
                if u % coarse == 0 && v % coarse == 0 {
                    continue;
                }
                let us: &[usize] = if u % coarse == 0 {
                    &[u, u]
                } else {
                    &[u - half, u + half]
                };
                let vs: &[usize] = if v % coarse == 0 {
                    &[v, v]
                } else {
                    &[v - half, v + half]
                };
                let corners = [
                    (us[0], vs[0]),
                    (us[0], vs[1]),
                    (us[1], vs[0]),
                    (us[1], vs[1]),
                ];
                let point = self.point(u, v);
                if corners.iter().any(|&(cu, cv)| is_boundary(cu, cv)) {
                    run.push(point);
                } else {
                    let (u0, v0) = corners[0];
                    let label =
                        labels[self.point(u0, v0) as usize].expect("coarse level is complete");
                    filled.push((point, label));
                }
            }
        }
        (run, filled)
    }

    /// Whether each level-`k` point (row-major on that level's lattice) has
    /// an 8-neighbour there with another label.
    fn boundary_points(&self, level: u32, labels: &[Option<Label>]) -> Vec<bool> {
        let s = self.stride(level);
        let [nu, nv] = self.level_size(level);
        let at = |i: usize, j: usize| labels[self.point(i * s, j * s) as usize];
        let mut flags = vec![false; nu * nv];
        for i in 0..nu {
            for j in 0..nv {
                let here = at(i, j);
                flags[i * nv + j] = (i.saturating_sub(1)..=(i + 1).min(nu - 1)).any(|ni| {
                    (j.saturating_sub(1)..=(j + 1).min(nv - 1)).any(|nj| at(ni, nj) != here)
                });
            }
        }
        flags
    }

    /// Share of level `k`'s lattice points that are boundary points.
    fn boundary_share(&self, level: u32, labels: &[Option<Label>]) -> f64 {
        let flags = self.boundary_points(level, labels);
        flags.iter().filter(|&&b| b).count() as f64 / flags.len() as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A plane of `n` level-0 points per axis and `levels` levels.
    fn plane(n: usize, levels: u32) -> Refinement {
        let size = ((n - 1) << levels) + 1;
        Refinement {
            levels,
            axes: [2, 3],
            size: [size, size],
        }
    }

    /// Labels of a disc of radius `r` (in finest points) around the centre.
    fn disc(r: &Refinement, radius: f64) -> impl Fn(u64) -> Option<Label> + '_ {
        move |point| {
            let (u, v) = r.coords(point);
            let c = (r.size[0] - 1) as f64 / 2.0;
            let inside = (u as f64 - c).hypot(v as f64 - c) < radius;
            Some(if inside {
                Label::Converged
            } else {
                Label::StuckLinear
            })
        }
    }

    #[test]
    fn levels_strides_and_sources() {
        let r = plane(5, 3);
        assert_eq!(r.size, [33, 33]);
        assert_eq!(r.level_size(0), [5, 5]);
        assert_eq!(r.level_size(3), [33, 33]);
        assert_eq!(r.level_of(r.point(0, 0)), 0);
        assert_eq!(r.level_of(r.point(8, 16)), 0);
        assert_eq!(r.level_of(r.point(4, 8)), 1);
        assert_eq!(r.level_of(r.point(8, 2)), 2);
        assert_eq!(r.level_of(r.point(1, 0)), 3);
        assert_eq!(r.fill_source(r.point(4, 12)), r.point(0, 8));
        assert_eq!(r.fill_source(r.point(31, 9)), r.point(30, 8));
    }

    #[test]
    fn a_uniform_plane_trains_level_0_only() {
        let r = plane(9, 4);
        let state = r.plan(|_| Some(Label::Converged));
        assert_eq!(state.current, None);
        assert_eq!(state.counts[0].needed, 81);
        assert!(state.counts[1..].iter().all(|c| c.needed == 0));
        let filled: u64 = state.counts.iter().map(|c| c.filled).sum();
        assert_eq!(filled + 81, r.points() as u64);
        assert!(state.labels.iter().all(|l| *l == Some(Label::Converged)));
    }

    #[test]
    fn a_level_waits_for_the_one_before() {
        let r = plane(9, 2);
        let full = disc(&r, 10.0);
        // Nothing stored: level 0 is current, with all its points needed.
        let state = r.plan(|_| None);
        assert_eq!(state.current, Some(0));
        assert_eq!(state.needed[0].len(), 81);
        // Level 0 stored: level 1 is current, and trains only near the disc's edge.
        let state = r.plan(|p| (r.level_of(p) == 0).then(|| full(p)).flatten());
        assert_eq!(state.current, Some(1));
        let level1 = &state.needed[1];
        assert!(!level1.is_empty() && level1.len() < 3 * 81);
        assert!(level1.windows(2).all(|w| w[0] < w[1]), "point order");
        // Everything stored: complete, and every label is the disc's or
        // (filled) that of a cell wholly inside or outside it.
        let state = r.plan(&full);
        assert_eq!(state.current, None);
        for p in 0..r.points() as u64 {
            match state.source[p as usize] {
                Source::Run => assert_eq!(state.labels[p as usize], full(p)),
                Source::Filled => {
                    assert_eq!(
                        state.labels[p as usize],
                        state.labels[r.fill_source(p) as usize]
                    )
                }
                Source::Unknown => panic!("point {p} unknown"),
            }
        }
    }

    #[test]
    fn refinement_matches_brute_force_on_a_smooth_boundary() {
        // A disc is a smooth boundary: refinement finds every cell of it.
        let r = plane(17, 3);
        let truth = disc(&r, 41.3);
        let state = r.plan(&truth);
        let wrong = (0..r.points() as u64)
            .filter(|&p| state.labels[p as usize] != truth(p))
            .count();
        assert_eq!(wrong, 0);
        let runs: u64 = state.counts.iter().map(|c| c.needed).sum();
        assert!(runs * 3 < r.points() as u64, "{runs} of {}", r.points());
        let b = state
            .counts
            .iter()
            .map(|c| c.boundary.unwrap())
            .collect::<Vec<_>>();
        assert!(
            b.windows(2).all(|w| w[1] < w[0]),
            "boundary share halves: {b:?}"
        );
    }
}
