//! Cameras attached to this machine. V4L2 exists on Linux only; elsewhere
//! the list is empty and stations use the other frame sources.

use serde::Serialize;

/// A video capture device the operator can pick for a station.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CameraDevice {
    /// Device node, e.g. `/dev/video0`: what the settings store.
    pub path: String,
    /// The card name the driver reports, e.g. "HD Pro Webcam C920".
    pub name: String,
    pub driver: String,
    pub bus: String,
}

/// The video capture devices present now, in device-number order. Nodes that
/// cannot capture video (metadata nodes, codecs) are left out.
#[cfg(target_os = "linux")]
pub fn list_cameras() -> Vec<CameraDevice> {
    use v4l::capability::Flags;

    let mut nodes: Vec<_> = v4l::context::enum_devices()
        .into_iter()
        .map(|node| node.path().to_path_buf())
        .collect();
    nodes.sort_by_key(|path| device_number(&path.to_string_lossy()));
    nodes
        .into_iter()
        .filter_map(|path| {
            let caps = v4l::Device::with_path(&path)
                .and_then(|dev| dev.query_caps())
                .inspect_err(|e| tracing::debug!(path = %path.display(), "skipping video node: {e}"))
                .ok()?;
            caps.capabilities
                .contains(Flags::VIDEO_CAPTURE)
                .then(|| CameraDevice {
                    path: path.to_string_lossy().into_owned(),
                    name: caps.card,
                    driver: caps.driver,
                    bus: caps.bus,
                })
        })
        .collect()
}

#[cfg(not(target_os = "linux"))]
pub fn list_cameras() -> Vec<CameraDevice> {
    Vec::new()
}

/// The number at the end of a device node name, so that video10 sorts after video2.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn device_number(path: &str) -> u32 {
    let digits = path.len() - path.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    path[path.len() - digits..].parse().unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_numbers_sort_numerically() {
        let mut paths = vec!["/dev/video10", "/dev/video2", "/dev/video0", "/dev/videoX"];
        paths.sort_by_key(|p| device_number(p));
        assert_eq!(
            paths,
            ["/dev/video0", "/dev/video2", "/dev/video10", "/dev/videoX"]
        );
    }
}
