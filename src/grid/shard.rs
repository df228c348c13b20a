//! `--shard K/N`: the K-th of N disjoint slices of a sweep (K counts from 1,
//! as cargo-nextest's `--partition` does). Chunk `i` belongs to shard
//! `i mod N + 1`, which spreads every activation over all shards.

use anyhow::{Result, bail};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Shard {
    /// 1-based.
    pub index: u32,
    pub count: u32,
}

impl Shard {
    pub const WHOLE: Shard = Shard { index: 1, count: 1 };

    pub fn owns(self, chunk_index: u64) -> bool {
        chunk_index % self.count as u64 == (self.index - 1) as u64
    }

    pub fn is_whole(self) -> bool {
        self.count == 1
    }

    /// The shard a SLURM array task runs, from `SLURM_ARRAY_TASK_ID`,
    /// `SLURM_ARRAY_TASK_MIN` and `SLURM_ARRAY_TASK_COUNT`; `None` outside
    /// an array job.
    pub fn from_slurm(env: impl Fn(&str) -> Option<String>) -> Result<Option<Shard>> {
        let Some(id) = env("SLURM_ARRAY_TASK_ID") else {
            return Ok(None);
        };
        let read = |name: &str| -> Result<u32> {
            let text = env(name).unwrap_or_default();
            text.trim().parse().map_err(|_| {
                anyhow::anyhow!("{name} = '{text}' is not a task number (SLURM_ARRAY_TASK_ID is set, so this looks like an array job)")
            })
        };
        let id: u32 = id
            .trim()
            .parse()
            .map_err(|_| anyhow::anyhow!("SLURM_ARRAY_TASK_ID = '{id}' is not a task number"))?;
        let min = read("SLURM_ARRAY_TASK_MIN")?;
        let count = read("SLURM_ARRAY_TASK_COUNT")?;
        if id < min || id - min >= count {
            bail!(
                "SLURM_ARRAY_TASK_ID = {id} lies outside tasks {min}..{} (SLURM_ARRAY_TASK_MIN, SLURM_ARRAY_TASK_COUNT): submit the array as --array=0-{} (contiguous, no step)",
                min + count,
                count.saturating_sub(1)
            );
        }
        Ok(Some(Shard {
            index: id - min + 1,
            count,
        }))
    }
}

impl std::str::FromStr for Shard {
    type Err = String;

    fn from_str(text: &str) -> Result<Shard, String> {
        let invalid = || format!("'{text}' is not K/N with 1 <= K <= N (e.g. 2/4)");
        let (k, n) = text.split_once('/').ok_or_else(invalid)?;
        let index: u32 = k.trim().parse().map_err(|_| invalid())?;
        let count: u32 = n.trim().parse().map_err(|_| invalid())?;
        if index == 0 || count == 0 || index > count {
            return Err(invalid());
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}
