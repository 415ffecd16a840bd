//! Conversion of Captain v2 (a spoke) to and from Captain v1 (the hub).
//!
//! EDIT THIS FILE! THIS IS SCAFFOLDING FOR YOU TO OWN!
//! The API server calls the manager's `/convert` webhook to read and write Captain
//! objects in any version; the hub is the version it stores.

use krb::webhook::{ConversionError, Spoke};
use serde::{Serialize, de::DeserializeOwned};

// `Kind` is this version, `HubKind` the hub; the aliases keep the lines short.
use super::Captain as Kind;
use crate::v1::Captain as HubKind;

impl Spoke<HubKind> for Kind {
    /// This version as the hub version.
    fn convert_to(&self) -> Result<HubKind, ConversionError> {
        // TODO(user): convert the fields that differ between the versions; the scaffold
        // copies the fields that have the same JSON names and types.
        Ok(HubKind {
            metadata: self.metadata.clone(),
            spec: copy(&self.spec)?,
            status: copy(&self.status)?,
        })
    }

    /// The hub version as this version.
    fn convert_from(hub: &HubKind) -> Result<Self, ConversionError> {
        // TODO(user): convert the fields that differ between the versions.
        Ok(Kind {
            metadata: hub.metadata.clone(),
            spec: copy(&hub.spec)?,
            status: copy(&hub.status)?,
        })
    }
}

/// A value as another type with the same JSON form.
fn copy<T: Serialize, U: DeserializeOwned>(from: &T) -> Result<U, ConversionError> {
    Ok(serde_json::from_value(serde_json::to_value(from)?)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Converting to the hub and back gives the object back unchanged.
    #[test]
    fn round_trip_through_the_hub() {
        // TODO(user): fill in the spec fields, so that every field takes part.
        let obj = Kind::new("sample", Default::default());
        let hub = obj.convert_to().unwrap();
        assert_eq!(Kind::convert_from(&hub).unwrap(), obj);
    }
}
