//! A refined sweep read as the full lattice it stands for: its stored runs,
//! then one record per *filled* point (`crate::grid::refine`), a copy of
//! the run its label comes from, moved to the filled point's start. Maps,
//! counts and the page then treat a refined plane like a brute-force one,
//! and still tell filled cells apart by their place in the list.

use super::RunRecord;
use crate::grid::SweepGrid;
use crate::grid::refine::Source;

/// Records of a refined sweep: `records[..runs]` were trained, the rest
/// were filled.
pub struct Completed {
    pub records: Vec<RunRecord>,
    pub runs: usize,
}

impl Completed {
    /// Whether record `index` was filled rather than trained.
    pub fn is_filled(&self, index: usize) -> bool {
        index >= self.runs
    }
}

/// `records` (runs of `grid`, any order) followed by the filled points of
/// every plane's known levels. A sweep that is not refined is returned as
/// it is.
pub fn complete(grid: &SweepGrid, records: Vec<RunRecord>) -> Completed {
    let runs = records.len();
    let Some(refinement) = grid.refinement else {
        return Completed { records, runs };
    };
    let points = grid.points();
    // Per plane and point: the index of its record (`NONE`: none yet).
    const NONE: usize = usize::MAX;
    let mut record_of = vec![vec![NONE; refinement.points()]; grid.group_count() as usize];
    for (index, r) in records.iter().enumerate() {
        if let Some(id) = grid.find(r.start, r.activation, r.replicate, r.variant) {
            let slot = &mut record_of[(id / points) as usize][(id % points) as usize];
            if *slot == NONE {
                *slot = index;
            }
        }
    }
    let planes = grid.plan_planes(&refinement, |id| {
        let index = record_of[(id / points) as usize][(id % points) as usize];
        (index != NONE).then(|| records[index].label())
    });
    let mut out = records;
    for (group, (plane, record_of)) in planes.iter().zip(&mut record_of).enumerate() {
        let base = group as u64 * points;
        // Coarse levels first: a point is filled from one of a level before.
        for level in 1..=refinement.levels {
            let stride = refinement.stride(level);
            for u in (0..refinement.size[0]).step_by(stride) {
                for v in (0..refinement.size[1]).step_by(stride) {
                    let point = refinement.point(u, v);
                    if plane.source[point as usize] != Source::Filled
                        || refinement.level_of(point) != level
                    {
                        continue;
                    }
                    let from = record_of[refinement.fill_source(point) as usize];
                    let mut record = out[from];
                    record.start = grid.start(&grid.key(base + point));
                    record_of[point as usize] = out.len();
                    out.push(record);
                }
            }
        }
    }
    Completed { records: out, runs }
}
