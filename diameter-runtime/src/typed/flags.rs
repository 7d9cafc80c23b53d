//! Flags of received AVPs that differ from the ones an encoder sets.

/// The flags of received AVPs that differ from the dictionary's defaults, by field and
/// occurrence, so that encoding a decoded message again reproduces them.
///
/// Empty for messages built in code; an encoder then sets V for vendor-specific AVPs and M
/// as the dictionary says.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct FlagOverrides {
    /// (field index, occurrence, flags byte).
    kept: Vec<(u16, u16, u8)>,
}

impl FlagOverrides {
    /// No override.
    pub const fn new() -> FlagOverrides {
        FlagOverrides { kept: Vec::new() }
    }

    /// Whether no override is kept.
    pub fn is_empty(&self) -> bool {
        self.kept.is_empty()
    }

    /// The flags to write for occurrence `index` of field `field`: the kept ones or `default`.
    #[inline]
    pub fn get(&self, field: u16, index: usize, default: u8) -> u8 {
        if self.kept.is_empty() {
            return default;
        }
        self.kept
            .iter()
            .find(|(f, i, _)| *f == field && usize::from(*i) == index)
            .map_or(default, |(_, _, flags)| *flags)
    }

    /// Keep `flags` for occurrence `index` of field `field` when they differ from `default`.
    #[inline]
    pub fn record(&mut self, field: u16, index: usize, flags: u8, default: u8) {
        if flags != default {
            let index = u16::try_from(index).unwrap_or(u16::MAX);
            self.kept.retain(|(f, i, _)| !(*f == field && *i == index));
            self.kept.push((field, index, flags));
        }
    }

    /// Forget every override: the message is then encoded with the default flags.
    pub fn clear(&mut self) {
        self.kept.clear();
    }
}
