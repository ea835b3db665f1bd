use std::{fs, io::Write, path::PathBuf};

use anyhow::{Context, bail};
use linesight_datagen::video::{Scene, Video, VideoSpec};

#[derive(clap::Args)]
pub struct Args {
    /// What the sequence shows: entrance, conveyor, fire, smoke, static_red,
    /// moving_red, red_shirts, grey_coats.
    #[arg(value_parser = parse_scene)]
    scene: Scene,
    /// The MJPEG file to write; a station replays it from its recordings folder.
    #[arg(long)]
    out: PathBuf,
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Sensor noise, flickering light, camera shake and shadows.
    #[arg(long)]
    noisy: bool,
    #[arg(long, default_value_t = 320)]
    width: u32,
    #[arg(long, default_value_t = 240)]
    height: u32,
    /// Also write what the sequence holds (crossings up and down, the line,
    /// the first frame of fire or smoke) as JSON, for benchmarks.
    #[arg(long)]
    truth: Option<PathBuf>,
}

fn parse_scene(name: &str) -> Result<Scene, String> {
    serde_json::from_value(serde_json::Value::String(name.to_string())).map_err(|_| {
        let names: Vec<String> = Scene::ALL
            .iter()
            .filter_map(|s| serde_json::to_value(s).ok()?.as_str().map(str::to_string))
            .collect();
        format!("one of {}", names.join(", "))
    })
}

/// Writes a generated sequence as MJPEG (JPEG frames back to back), through
/// a temporary file so that a station never replays half a recording.
pub fn run(args: Args) -> anyhow::Result<()> {
    if !(16..=1920).contains(&args.width) || !(16..=1080).contains(&args.height) {
        bail!("the size must be 16..=1920 × 16..=1080");
    }
    let spec = VideoSpec::new(args.scene, args.seed)
        .noisy(args.noisy)
        .size(args.width, args.height);
    let video = Video::new(spec)?;
    let partial = args.out.with_extension("partial");
    let mut file = std::io::BufWriter::new(
        fs::File::create(&partial).with_context(|| format!("cannot write {}", partial.display()))?,
    );
    for frame in video.frames() {
        let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut file, 90);
        frame.write_with_encoder(encoder)?;
    }
    file.flush()?;
    drop(file);
    fs::rename(&partial, &args.out)?;
    let t = video.truth();
    if let Some(path) = &args.truth {
        fs::write(path, serde_json::to_vec_pretty(t)?)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    println!(
        "{}: {} frames at {} fps; truth: up {}, down {}, fire from frame {:?}, smoke from frame {:?}",
        args.out.display(),
        video.len(),
        video.fps(),
        t.up,
        t.down,
        t.fire_from,
        t.smoke_from
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use linesight_vision::{mjpeg_file::MjpegFileSource, source::FrameSource};

    use super::*;

    #[test]
    fn a_written_sequence_replays_frame_for_frame() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("smoke.mjpeg");
        run(Args {
            scene: parse_scene("smoke").unwrap(),
            out: out.clone(),
            seed: 3,
            noisy: false,
            width: 96,
            height: 64,
            truth: Some(tmp.path().join("smoke.json")),
        })
        .unwrap();
        let expected = Video::new(VideoSpec::new(Scene::Smoke, 3).size(96, 64)).unwrap();
        let mut source = MjpegFileSource::open(&out, 10_000.0, false).unwrap();
        let mut n = 0;
        while let Some(frame) = source.next_frame().unwrap() {
            assert_eq!(frame.image.dimensions(), (96, 64));
            n += 1;
        }
        assert_eq!(n, expected.len());
        assert!(!out.with_extension("partial").exists());
        let truth: serde_json::Value =
            serde_json::from_slice(&fs::read(tmp.path().join("smoke.json")).unwrap()).unwrap();
        assert_eq!(
            truth["smoke_from"],
            serde_json::json!(expected.truth().smoke_from)
        );
        assert!(parse_scene("flame").unwrap_err().contains("grey_coats"));
    }
}
