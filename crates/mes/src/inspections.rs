//! Vision stations, the record of every part they judge, per-day counters,
//! and the reviews (relabels) people make of those records.
//!
//! Station settings and relabels are user actions: one transaction each,
//! with its audit row. Recording an inspection is not a user action but the
//! station pipeline's (up to 30 parts a second): the inspection row is its
//! own trail, and it is written together with the day's counters.

use chrono::{DateTime, NaiveDate, NaiveTime, SecondsFormat, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{QueryBuilder, Sqlite};

use crate::{
    Error, Field, Result, Rule, Store,
    audit::{self, Action, Entry},
    auth::User,
    validate,
};

pub type StationId = i64;
pub type InspectionId = i64;

/// The largest page [`Store::list_inspections`] returns.
pub const MAX_PAGE: u32 = 500;

/// What a station decided for one part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, sqlx::Type)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
#[sqlx(rename_all = "snake_case")]
pub enum Verdict {
    Ok,
    Ng,
}

/// A person's review of a record, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, sqlx::Type)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
#[sqlx(rename_all = "snake_case")]
pub enum RelabelKind {
    /// Rejected, but the part was good.
    FalseAlarm,
    /// Passed, but the part was bad.
    Escape,
}

/// What a reviewer does to a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Relabel {
    /// Only for an `ng` record.
    FalseAlarm,
    /// Only for an `ok` record.
    Escape,
    /// Takes a review back.
    Clear,
}

impl Relabel {
    pub fn kind(self) -> Option<RelabelKind> {
        match self {
            Relabel::FalseAlarm => Some(RelabelKind::FalseAlarm),
            Relabel::Escape => Some(RelabelKind::Escape),
            Relabel::Clear => None,
        }
    }
}

/// A vision station and its settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Station {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub id: StationId,
    pub name: String,
    /// The station's settings: JSON text of an object, which the store does not read.
    pub config_json: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A station as entered on the stations screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct NewStation {
    pub name: String,
    pub config_json: String,
}

/// Every editable field of a station, as the edit form sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct StationUpdate {
    pub name: String,
    pub config_json: String,
    pub active: bool,
}

/// One judged part, as the station pipeline hands it over.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct NewInspection {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub station_id: StationId,
    /// Capture time; stored to the millisecond.
    pub at: DateTime<Utc>,
    /// The recording machine's local calendar day of `at`: the counter it adds to.
    pub day: NaiveDate,
    pub model_version: String,
    /// Not finite (NaN) only when the model failed and the part was rejected
    /// for it (fail-closed): then it is stored as no score.
    pub score: f64,
    pub threshold: f64,
    pub verdict: Verdict,
    pub defect_type: Option<String>,
    /// Relative to the app-data images folder.
    pub image_path: Option<String>,
    /// Relative to the app-data images folder.
    pub heatmap_path: Option<String>,
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub work_order_op_id: Option<i64>,
    pub lot: Option<String>,
}

/// A stored inspection, as the history screen and the gallery show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct InspectionRow {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub id: InspectionId,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub station_id: StationId,
    pub at: DateTime<Utc>,
    pub model_version: String,
    /// None when the model gave no finite score (the verdict is then `ng`).
    pub score: Option<f64>,
    pub threshold: f64,
    pub verdict: Verdict,
    pub defect_type: Option<String>,
    pub image_path: Option<String>,
    pub heatmap_path: Option<String>,
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub work_order_op_id: Option<i64>,
    pub lot: Option<String>,
    pub relabel: Option<RelabelKind>,
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub relabelled_by: Option<i64>,
    pub relabelled_at: Option<DateTime<Utc>>,
}

/// Parts a station judged on one day, as it judged them (relabels do not move them).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Counters {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub total: i64,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub ok: i64,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub ng: i64,
}

/// Which inspections to list, newest first. Every filter is optional; pages
/// follow each other by `before_id`, the last id of the page before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct InspectionFilter {
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub station_id: Option<StationId>,
    /// Captured at or after this instant. For a range of local days see [`day_range`].
    pub from: Option<DateTime<Utc>>,
    /// Captured before this instant (exclusive).
    pub until: Option<DateTime<Utc>>,
    pub verdict: Option<Verdict>,
    /// `""` for rejected parts the model gave no type.
    pub defect_type: Option<String>,
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub work_order_op_id: Option<i64>,
    /// Parts made under work orders of this item; 0 for parts judged under
    /// no work order (as the quality roll-up counts them).
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub item_id: Option<i64>,
    /// Parts judged at operations of this process; 0 as for `item_id`.
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub process_id: Option<i64>,
    /// Only rows after this one in newest-first order: the last id of the previous page.
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub before_id: Option<InspectionId>,
    /// 1..=[`MAX_PAGE`].
    pub limit: u32,
}

impl Default for InspectionFilter {
    fn default() -> Self {
        Self {
            station_id: None,
            from: None,
            until: None,
            verdict: None,
            defect_type: None,
            work_order_op_id: None,
            item_id: None,
            process_id: None,
            before_id: None,
            limit: 100,
        }
    }
}

/// The instants that bound the local days `first..=last` in `tz`: the start
/// of `first` and the start of the day after `last`, for
/// [`InspectionFilter::from`] and [`InspectionFilter::until`]. The app passes
/// `chrono::Local`; the store itself knows no time zone.
pub fn day_range<Tz: TimeZone>(first: NaiveDate, last: NaiveDate, tz: &Tz) -> (DateTime<Utc>, DateTime<Utc>) {
    let after_last = last.succ_opt().unwrap_or(NaiveDate::MAX);
    (start_of_day(first, tz), start_of_day(after_last, tz))
}

/// The first instant of a local day; where a clock change skips midnight,
/// the first hour that exists.
fn start_of_day<Tz: TimeZone>(day: NaiveDate, tz: &Tz) -> DateTime<Utc> {
    (0..24)
        .find_map(|hour| {
            let local = day.and_time(NaiveTime::from_hms_opt(hour, 0, 0)?);
            tz.from_local_datetime(&local).earliest()
        })
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| day.and_time(NaiveTime::MIN).and_utc())
}

/// `inspections.at` as stored: milliseconds and a Z, fixed width, so text
/// order is time order.
pub(crate) fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The columns of [`InspectionRow`], as a literal for `concat!`.
macro_rules! inspection_columns {
    () => {
        "id, station_id, at, model_version, score, threshold, verdict, defect_type, image_path, \
         heatmap_path, work_order_op_id, lot, relabel, relabelled_by, relabelled_at"
    };
}
pub(crate) use inspection_columns;

const SELECT_INSPECTION: &str = concat!("SELECT ", inspection_columns!(), " FROM inspections WHERE id = ?");

/// The newest-first page query of `filter`, after the row at `cursor`.
fn list_query(
    prefix: &str,
    filter: &InspectionFilter,
    cursor: Option<(String, InspectionId)>,
    limit: u32,
) -> QueryBuilder<Sqlite> {
    let mut q = QueryBuilder::new(format!(
        "{prefix}SELECT {} FROM inspections WHERE 1 = 1",
        inspection_columns!()
    ));
    if let Some(station_id) = filter.station_id {
        q.push(" AND station_id = ").push_bind(station_id);
    }
    if let Some(from) = filter.from {
        q.push(" AND at >= ").push_bind(stamp(from));
    }
    if let Some(until) = filter.until {
        q.push(" AND at < ").push_bind(stamp(until));
    }
    if let Some(verdict) = filter.verdict {
        q.push(" AND verdict = ").push_bind(verdict);
    }
    match filter.defect_type.as_deref() {
        Some("") => {
            q.push(" AND defect_type IS NULL");
        }
        Some(t) => {
            q.push(" AND defect_type = ").push_bind(t.to_owned());
        }
        None => {}
    }
    if let Some(op) = filter.work_order_op_id {
        q.push(" AND work_order_op_id = ").push_bind(op);
    }
    // The operations of an item or a process; 0 is no work order at all.
    for (id, sql) in [
        (
            filter.item_id,
            " IN (SELECT o.id FROM operations o JOIN work_orders w ON w.id = o.work_order_id WHERE w.item_id = ",
        ),
        (
            filter.process_id,
            " IN (SELECT o.id FROM operations o WHERE o.process_id = ",
        ),
    ] {
        match id {
            Some(0) => {
                q.push(" AND work_order_op_id IS NULL");
            }
            Some(id) => {
                q.push(" AND work_order_op_id").push(sql).push_bind(id).push(")");
            }
            None => {}
        }
    }
    // Keyset paging: rows strictly after the cursor in (at, id) order, read
    // from the index; never OFFSET, which rereads every row skipped.
    if let Some((at, id)) = cursor {
        q.push(" AND (at, id) < (")
            .push_bind(at)
            .push(", ")
            .push_bind(id)
            .push(")");
    }
    q.push(" ORDER BY at DESC, id DESC LIMIT ")
        .push_bind(i64::from(limit));
    q
}

impl Store {
    pub async fn create_station(&self, new: NewStation, actor: &User, machine: &str) -> Result<Station> {
        let name = validate::station_name(&new.name)?;
        let config_json = validate::json_object(Field::StationConfig, &new.config_json)?;
        let now = Utc::now();

        let mut tx = self.pool.begin().await?;
        let station: Station = sqlx::query_as(
            "INSERT INTO stations (name, config_json, active, created_at, updated_at)
             VALUES (?, ?, 1, ?, ?)
             RETURNING id, name, config_json, active, created_at, updated_at",
        )
        .bind(&name)
        .bind(&config_json)
        .bind(now)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| Error::taken(e, Field::StationName))?;
        audit::write(
            &mut tx,
            now,
            Entry::change(
                actor,
                machine,
                Action::Create,
                "station",
                station.id,
                None::<&Station>,
                &station,
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(station)
    }

    /// Replaces a station's name, settings and active flag. Nothing is
    /// written when nothing changes.
    pub async fn update_station(
        &self,
        id: StationId,
        update: StationUpdate,
        actor: &User,
        machine: &str,
    ) -> Result<Station> {
        let name = validate::station_name(&update.name)?;
        let config_json = validate::json_object(Field::StationConfig, &update.config_json)?;
        let now = Utc::now();

        // IMMEDIATE: the row read for the audit's "before" is the row replaced.
        let mut tx = self.write().await?;
        let before: Station = sqlx::query_as(
            "SELECT id, name, config_json, active, created_at, updated_at FROM stations WHERE id = ?",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(Error::StationNotFound { id })?;
        if before.name == name && before.config_json == config_json && before.active == update.active {
            return Ok(before);
        }
        let after: Station = sqlx::query_as(
            "UPDATE stations SET name = ?, config_json = ?, active = ?, updated_at = ? WHERE id = ?
             RETURNING id, name, config_json, active, created_at, updated_at",
        )
        .bind(&name)
        .bind(&config_json)
        .bind(update.active)
        .bind(now)
        .bind(id)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| Error::taken(e, Field::StationName))?;
        audit::write(
            &mut tx,
            now,
            Entry::change(
                actor,
                machine,
                Action::Update,
                "station",
                id,
                Some(&before),
                &after,
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Every station, active or not, by name.
    pub async fn list_stations(&self) -> Result<Vec<Station>> {
        Ok(sqlx::query_as(
            "SELECT id, name, config_json, active, created_at, updated_at FROM stations ORDER BY name, id",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn get_station(&self, id: StationId) -> Result<Station> {
        sqlx::query_as(
            "SELECT id, name, config_json, active, created_at, updated_at FROM stations WHERE id = ?",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(Error::StationNotFound { id })
    }

    /// Records one judged part and counts it on its station's day, in one
    /// transaction: both are written or neither.
    ///
    /// No audit row: this is the station pipeline recording what it saw (up
    /// to 30 parts a second), not a person changing data. The inspection row
    /// is itself the record; relabels of it are audited.
    pub async fn record_inspection(&self, new: NewInspection) -> Result<InspectionId> {
        let score = if new.score.is_finite() {
            Some(new.score)
        } else if new.verdict == Verdict::Ng {
            // Fail-closed: a part the model could not score was rejected, and
            // that rejection must be on record.
            None
        } else {
            return Err(Error::Invalid {
                field: Field::Score,
                rule: Rule::NotFinite,
            });
        };
        let threshold = validate::finite(Field::Threshold, new.threshold)?;
        let image_path = validate::relative_path(Field::ImagePath, new.image_path)?;
        let heatmap_path = validate::relative_path(Field::HeatmapPath, new.heatmap_path)?;
        let (ok, ng) = match new.verdict {
            Verdict::Ok => (1, 0),
            Verdict::Ng => (0, 1),
        };

        let mut tx = self.write().await?;
        // A part judged while the station's operation runs counts toward it
        // (for the operator to confirm) and ends any unexplained stop.
        let running: Option<i64> = match new.work_order_op_id {
            Some(op) => Some(op),
            None => {
                sqlx::query_scalar(
                    "SELECT id FROM operations WHERE station_id = ? AND status = 'running'
                     ORDER BY started_at DESC LIMIT 1",
                )
                .bind(new.station_id)
                .fetch_optional(&mut *tx)
                .await?
            }
        };
        let id: Option<InspectionId> = sqlx::query_scalar(
            "INSERT INTO inspections (station_id, at, model_version, score, threshold, verdict,
                                      defect_type, image_path, heatmap_path, work_order_op_id, lot)
             SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM stations WHERE id = ?)
             RETURNING id",
        )
        .bind(new.station_id)
        .bind(stamp(new.at))
        .bind(&new.model_version)
        .bind(score)
        .bind(threshold)
        .bind(new.verdict)
        .bind(validate::optional_text(new.defect_type))
        .bind(image_path)
        .bind(heatmap_path)
        .bind(running)
        .bind(validate::optional_text(new.lot))
        .bind(new.station_id)
        .fetch_optional(&mut *tx)
        .await?;
        let id = id.ok_or(Error::StationNotFound { id: new.station_id })?;
        sqlx::query(
            "INSERT INTO station_counters (station_id, day, total, ok, ng) VALUES (?, ?, 1, ?, ?)
             ON CONFLICT (station_id, day) DO UPDATE
             SET total = total + 1, ok = ok + excluded.ok, ng = ng + excluded.ng",
        )
        .bind(new.station_id)
        .bind(new.day)
        .bind(ok)
        .bind(ng)
        .execute(&mut *tx)
        .await?;
        if let Some(op) = running {
            sqlx::query(
                "UPDATE operations SET station_ok = station_ok + ?, station_ng = station_ng + ? WHERE id = ?",
            )
            .bind(ok)
            .bind(ng)
            .bind(op)
            .execute(&mut *tx)
            .await?;
            crate::production::downtime::part_seen(&mut tx, op, new.at).await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    /// A station's counts for one local day; zero when it judged nothing.
    pub async fn counters(&self, station_id: StationId, day: NaiveDate) -> Result<Counters> {
        let found: Option<Counters> =
            sqlx::query_as("SELECT total, ok, ng FROM station_counters WHERE station_id = ? AND day = ?")
                .bind(station_id)
                .bind(day)
                .fetch_optional(&self.pool)
                .await?;
        Ok(found.unwrap_or_default())
    }

    /// A station's counters for `day` and the newest inspection they count,
    /// read in one snapshot: a window that then hears of verdicts counts
    /// only those after it, never one twice.
    pub async fn counters_as_of(
        &self,
        station_id: StationId,
        day: NaiveDate,
    ) -> Result<(Counters, Option<InspectionId>)> {
        let mut tx = self.pool.begin().await?;
        let last: Option<InspectionId> = sqlx::query_scalar(
            "SELECT id FROM inspections WHERE station_id = ? ORDER BY at DESC, id DESC LIMIT 1",
        )
        .bind(station_id)
        .fetch_optional(&mut *tx)
        .await?;
        let counters: Option<Counters> =
            sqlx::query_as("SELECT total, ok, ng FROM station_counters WHERE station_id = ? AND day = ?")
                .bind(station_id)
                .bind(day)
                .fetch_optional(&mut *tx)
                .await?;
        tx.commit().await?;
        Ok((counters.unwrap_or_default(), last))
    }

    pub async fn get_inspection(&self, id: InspectionId) -> Result<InspectionRow> {
        sqlx::query_as(SELECT_INSPECTION)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(Error::InspectionNotFound { id })
    }

    /// One page of inspections, newest first (by capture time, then id).
    pub async fn list_inspections(&self, filter: InspectionFilter) -> Result<Vec<InspectionRow>> {
        let limit = validate::in_range(Field::Limit, filter.limit, 1, MAX_PAGE)?;
        let cursor = match filter.before_id {
            Some(id) => Some(
                sqlx::query_as::<_, (String, InspectionId)>("SELECT at, id FROM inspections WHERE id = ?")
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?
                    .ok_or(Error::InspectionNotFound { id })?,
            ),
            None => None,
        };
        let mut query = list_query("", &filter, cursor, limit);
        Ok(query.build_query_as().fetch_all(&self.pool).await?)
    }

    /// A station's latest rejected parts, newest first, for the NG gallery.
    pub async fn recent_ng(&self, station_id: StationId, limit: u32) -> Result<Vec<InspectionRow>> {
        self.list_inspections(InspectionFilter {
            station_id: Some(station_id),
            verdict: Some(Verdict::Ng),
            limit,
            ..InspectionFilter::default()
        })
        .await
    }

    /// A station's reviewed parts that kept their image, oldest first: false
    /// alarms are good parts the model rejected, escapes bad parts it passed.
    /// The next teaching of the station's model learns from both.
    pub async fn reviewed_images(
        &self,
        station_id: StationId,
    ) -> Result<Vec<(InspectionId, RelabelKind, String)>> {
        Ok(sqlx::query_as(
            "SELECT id, relabel, image_path FROM inspections
             WHERE station_id = ? AND relabel IS NOT NULL AND image_path IS NOT NULL
             ORDER BY id",
        )
        .bind(station_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// A person's review of a record: a false alarm (for `ng` records), an
    /// escape (for `ok` records), or taking the review back. The verdict and
    /// the counters stay as the station decided. Nothing is written when
    /// the record already says so.
    pub async fn relabel_inspection(
        &self,
        id: InspectionId,
        relabel: Relabel,
        actor: &User,
        machine: &str,
    ) -> Result<InspectionRow> {
        let now = Utc::now();
        let mut tx = self.write().await?;
        let before: InspectionRow = sqlx::query_as(SELECT_INSPECTION)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(Error::InspectionNotFound { id })?;
        let allowed = match relabel {
            Relabel::FalseAlarm => before.verdict == Verdict::Ng,
            Relabel::Escape => before.verdict == Verdict::Ok,
            Relabel::Clear => true,
        };
        if !allowed {
            return Err(Error::RelabelNotAllowed {
                relabel,
                verdict: before.verdict,
            });
        }
        let kind = relabel.kind();
        if before.relabel == kind {
            return Ok(before);
        }
        let (by, at) = match kind {
            Some(_) => (Some(actor.id), Some(now)),
            None => (None, None),
        };
        let after: InspectionRow = sqlx::query_as(concat!(
            "UPDATE inspections SET relabel = ?, relabelled_by = ?, relabelled_at = ? WHERE id = ? RETURNING ",
            inspection_columns!()
        ))
        .bind(kind)
        .bind(by)
        .bind(at)
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        audit::write(
            &mut tx,
            now,
            Entry::change(
                actor,
                machine,
                Action::Update,
                "inspection",
                id,
                Some(&before),
                &after,
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use chrono::{Duration, FixedOffset};

    use crate::{auth::NewAdmin, store::tests::temp_store};

    use super::*;

    async fn admin(store: &Store) -> User {
        let new = NewAdmin {
            username: "boss".into(),
            display_name: "관리자".into(),
            password: "s3cret-pass".into(),
        };
        store.create_first_admin(new, "pc1").await.unwrap()
    }

    fn new_station(name: &str) -> NewStation {
        NewStation {
            name: name.into(),
            config_json: r#"{"camera": "/dev/video0", "trigger": "part_present"}"#.into(),
        }
    }

    async fn station(store: &Store, actor: &User, name: &str) -> StationId {
        store
            .create_station(new_station(name), actor, "pc1")
            .await
            .unwrap()
            .id
    }

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 3, 1, 0, 0, 0).unwrap()
    }

    fn part(station_id: StationId, at: DateTime<Utc>, verdict: Verdict) -> NewInspection {
        NewInspection {
            station_id,
            at,
            day: at.date_naive(),
            model_version: "demo-washer@1".into(),
            score: match verdict {
                Verdict::Ok => 0.21,
                Verdict::Ng => 0.93,
            },
            threshold: 0.5,
            verdict,
            defect_type: None,
            image_path: None,
            heatmap_path: None,
            work_order_op_id: None,
            lot: None,
        }
    }

    async fn count(store: &Store, table: &str) -> i64 {
        let sql = match table {
            "inspections" => "SELECT COUNT(*) FROM inspections",
            "audit_log" => "SELECT COUNT(*) FROM audit_log",
            _ => "SELECT COUNT(*) FROM station_counters",
        };
        sqlx::query_scalar(sql).fetch_one(&store.pool).await.unwrap()
    }

    fn invalid(r: Result<impl std::fmt::Debug>) -> (Field, Rule) {
        match r {
            Err(Error::Invalid { field, rule }) => (field, rule),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    fn json(text: Option<&str>) -> serde_json::Value {
        serde_json::from_str(text.expect("audit json")).unwrap()
    }

    #[tokio::test]
    async fn stations_are_validated_and_audited() {
        let (_dir, store) = temp_store().await;
        let boss = admin(&store).await;

        let line1 = store
            .create_station(new_station("  Line 1 "), &boss, "pc2")
            .await
            .unwrap();
        assert_eq!(line1.name, "Line 1");
        assert!(line1.active);
        assert_eq!(store.get_station(line1.id).await.unwrap(), line1);
        let created = &store.audit_recent(1).await.unwrap()[0];
        assert_eq!(
            (
                created.action.as_str(),
                created.entity.as_str(),
                created.machine.as_str()
            ),
            ("create", "station", "pc2")
        );
        assert_eq!(created.entity_id, Some(line1.id.to_string()));
        assert_eq!(created.user_id, Some(boss.id));
        assert_eq!(created.before_json, None);
        assert_eq!(json(created.after_json.as_deref())["name"], "Line 1");

        let audits = count(&store, "audit_log").await;
        let taken = store.create_station(new_station("LINE 1"), &boss, "pc2").await;
        assert_eq!(invalid(taken), (Field::StationName, Rule::Taken));
        let array = NewStation {
            name: "Line 2".into(),
            config_json: "[1, 2]".into(),
        };
        assert_eq!(
            invalid(store.create_station(array, &boss, "pc2").await),
            (Field::StationConfig, Rule::NotJsonObject)
        );
        let long = store
            .create_station(new_station(&"가".repeat(61)), &boss, "pc2")
            .await;
        assert_eq!(invalid(long), (Field::StationName, Rule::TooLong { max: 60 }));
        assert_eq!(count(&store, "audit_log").await, audits);

        let other = station(&store, &boss, "a-station").await;
        let update = StationUpdate {
            name: " Line 1 vision ".into(),
            config_json: r#"{"camera": "/dev/video2"}"#.into(),
            active: false,
        };
        let updated = store
            .update_station(line1.id, update.clone(), &boss, "pc2")
            .await
            .unwrap();
        assert_eq!(updated.name, "Line 1 vision");
        assert!(!updated.active);
        assert_eq!(updated.created_at, line1.created_at);
        assert!(updated.updated_at >= line1.updated_at);
        let changed = &store.audit_recent(1).await.unwrap()[0];
        assert_eq!(
            (changed.action.as_str(), changed.entity.as_str()),
            ("update", "station")
        );
        let (before, after) = (
            json(changed.before_json.as_deref()),
            json(changed.after_json.as_deref()),
        );
        assert_eq!(
            (before["name"].as_str(), before["active"].as_bool()),
            (Some("Line 1"), Some(true))
        );
        assert_eq!(
            (after["name"].as_str(), after["active"].as_bool()),
            (Some("Line 1 vision"), Some(false))
        );
        assert_eq!(after["configJson"], r#"{"camera": "/dev/video2"}"#);

        // Saving the form unchanged writes nothing.
        let audits = count(&store, "audit_log").await;
        let same = store
            .update_station(line1.id, update, &boss, "pc2")
            .await
            .unwrap();
        assert_eq!(same, updated);
        assert_eq!(count(&store, "audit_log").await, audits);

        let clash = StationUpdate {
            name: "A-STATION".into(),
            config_json: "{}".into(),
            active: true,
        };
        assert_eq!(
            invalid(store.update_station(line1.id, clash.clone(), &boss, "pc2").await),
            (Field::StationName, Rule::Taken)
        );
        assert!(matches!(
            store.update_station(999, clash, &boss, "pc2").await,
            Err(Error::StationNotFound { id: 999 })
        ));
        assert!(matches!(
            store.get_station(999).await,
            Err(Error::StationNotFound { id: 999 })
        ));
        assert_eq!(count(&store, "audit_log").await, audits);

        let names: Vec<(StationId, String)> = store
            .list_stations()
            .await
            .unwrap()
            .into_iter()
            .map(|s| (s.id, s.name))
            .collect();
        assert_eq!(
            names,
            [
                (other, "a-station".to_owned()),
                (line1.id, "Line 1 vision".to_owned())
            ]
        );
    }

    #[tokio::test]
    async fn counters_add_up_over_mixed_verdicts() {
        let (_dir, store) = temp_store().await;
        let boss = admin(&store).await;
        let (st1, st2) = (
            station(&store, &boss, "st1").await,
            station(&store, &boss, "st2").await,
        );
        let audits = count(&store, "audit_log").await;
        let day1 = t0().date_naive();
        let day2 = day1.succ_opt().unwrap();

        let verdicts = [Verdict::Ok, Verdict::Ng, Verdict::Ok, Verdict::Ok, Verdict::Ng];
        for i in 0..10 {
            let at = t0() + Duration::seconds(i);
            store
                .record_inspection(part(st1, at, verdicts[i as usize % 5]))
                .await
                .unwrap();
        }
        for i in 0..3 {
            let at = t0() + Duration::days(1) + Duration::seconds(i);
            store.record_inspection(part(st1, at, Verdict::Ng)).await.unwrap();
        }
        store
            .record_inspection(part(st2, t0(), Verdict::Ok))
            .await
            .unwrap();

        let c = |total, ok, ng| Counters { total, ok, ng };
        assert_eq!(store.counters(st1, day1).await.unwrap(), c(10, 6, 4));
        assert_eq!(store.counters(st1, day2).await.unwrap(), c(3, 0, 3));
        assert_eq!(store.counters(st2, day1).await.unwrap(), c(1, 1, 0));
        assert_eq!(store.counters(st2, day2).await.unwrap(), Counters::default());
        assert_eq!(count(&store, "inspections").await, 14);
        // The pipeline's records are not audited.
        assert_eq!(count(&store, "audit_log").await, audits);
    }

    #[tokio::test]
    async fn a_failed_record_changes_nothing() {
        let (_dir, store) = temp_store().await;
        let boss = admin(&store).await;
        let st = station(&store, &boss, "st1").await;
        let day = t0().date_naive();
        store
            .record_inspection(part(st, t0(), Verdict::Ok))
            .await
            .unwrap();
        let one = Counters {
            total: 1,
            ok: 1,
            ng: 0,
        };

        // An unknown station.
        assert!(matches!(
            store.record_inspection(part(999, t0(), Verdict::Ng)).await,
            Err(Error::StationNotFound { id: 999 })
        ));
        assert_eq!(store.counters(999, day).await.unwrap(), Counters::default());

        // Refused input.
        let mut nan_ok = part(st, t0(), Verdict::Ok);
        nan_ok.score = f64::NAN;
        assert_eq!(
            invalid(store.record_inspection(nan_ok).await),
            (Field::Score, Rule::NotFinite)
        );

        // The counter write fails after the inspection row went in: the row
        // must go too. Both paths of the upsert: an existing day and a new one.
        sqlx::query(
            "CREATE TRIGGER counters_fail_update BEFORE UPDATE ON station_counters
             BEGIN SELECT RAISE(ABORT, 'disk full'); END",
        )
        .execute(&store.pool)
        .await
        .unwrap();
        sqlx::query(
            "CREATE TRIGGER counters_fail_insert BEFORE INSERT ON station_counters
             BEGIN SELECT RAISE(ABORT, 'disk full'); END",
        )
        .execute(&store.pool)
        .await
        .unwrap();
        let same_day = store.record_inspection(part(st, t0(), Verdict::Ng)).await;
        assert!(matches!(same_day, Err(Error::Database(_))), "{same_day:?}");
        let next_day = part(st, t0() + Duration::days(1), Verdict::Ng);
        assert!(matches!(
            store.record_inspection(next_day).await,
            Err(Error::Database(_))
        ));

        assert_eq!(store.counters(st, day).await.unwrap(), one);
        assert_eq!(count(&store, "inspections").await, 1);
        assert_eq!(count(&store, "station_counters").await, 1);
    }

    /// Every page of `filter`, following `before_id`; checks each page's
    /// size, and that no row comes twice.
    async fn all_pages(store: &Store, filter: &InspectionFilter) -> Vec<InspectionRow> {
        let mut rows: Vec<InspectionRow> = Vec::new();
        let mut seen = HashSet::new();
        let mut filter = filter.clone();
        loop {
            let page = store.list_inspections(filter.clone()).await.unwrap();
            assert!(page.len() <= filter.limit as usize);
            let Some(last) = page.last() else {
                return rows;
            };
            filter.before_id = Some(last.id);
            for row in page {
                assert!(seen.insert(row.id), "row {} on two pages", row.id);
                rows.push(row);
            }
        }
    }

    fn assert_newest_first(rows: &[InspectionRow]) {
        for pair in rows.windows(2) {
            assert!(
                (pair[0].at, pair[0].id) > (pair[1].at, pair[1].id),
                "{:?} before {:?}",
                (pair[0].at, pair[0].id),
                (pair[1].at, pair[1].id)
            );
        }
    }

    #[tokio::test]
    async fn keyset_pages_return_every_row_once_newest_first() {
        let (_dir, store) = temp_store().await;
        let boss = admin(&store).await;
        let (st1, st2) = (
            station(&store, &boss, "st1").await,
            station(&store, &boss, "st2").await,
        );
        // Capture times out of insertion order, many of them equal.
        let mut ids = HashSet::new();
        let mut st1_ids = HashSet::new();
        for i in 0..95i64 {
            let at = t0() + Duration::seconds((i * 37) % 50) + Duration::microseconds(i % 3 * 200);
            let st = if i % 3 == 0 { st2 } else { st1 };
            let verdict = if i % 4 == 0 { Verdict::Ng } else { Verdict::Ok };
            let id = store.record_inspection(part(st, at, verdict)).await.unwrap();
            ids.insert(id);
            if st == st1 {
                st1_ids.insert(id);
            }
        }

        for limit in [1, 10, 95, 500] {
            let filter = InspectionFilter {
                limit,
                ..InspectionFilter::default()
            };
            let rows = all_pages(&store, &filter).await;
            assert_eq!(rows.len(), 95, "limit {limit}");
            assert_eq!(rows.iter().map(|r| r.id).collect::<HashSet<_>>(), ids);
            assert_newest_first(&rows);
        }
        let st1_rows = all_pages(
            &store,
            &InspectionFilter {
                station_id: Some(st1),
                limit: 7,
                ..InspectionFilter::default()
            },
        )
        .await;
        assert_eq!(st1_rows.len(), st1_ids.len());
        assert_eq!(st1_rows.iter().map(|r| r.id).collect::<HashSet<_>>(), st1_ids);
        assert_newest_first(&st1_rows);

        // Parts recorded while someone pages do not shift the pages after.
        let filter = InspectionFilter {
            limit: 20,
            ..InspectionFilter::default()
        };
        let first = store.list_inspections(filter.clone()).await.unwrap();
        for i in 0..5 {
            let at = t0() + Duration::hours(1) + Duration::seconds(i);
            store.record_inspection(part(st1, at, Verdict::Ok)).await.unwrap();
        }
        let rest = all_pages(
            &store,
            &InspectionFilter {
                before_id: first.last().map(|r| r.id),
                ..filter
            },
        )
        .await;
        let seen: Vec<InspectionId> = first.iter().chain(&rest).map(|r| r.id).collect();
        assert_eq!(seen.len(), 95);
        assert_eq!(seen.into_iter().collect::<HashSet<_>>(), ids);

        for limit in [0, MAX_PAGE + 1] {
            let filter = InspectionFilter {
                limit,
                ..InspectionFilter::default()
            };
            assert_eq!(
                invalid(store.list_inspections(filter).await),
                (Field::Limit, Rule::OutOfRange { min: 1, max: 500 })
            );
        }
        let unknown = InspectionFilter {
            before_id: Some(10_000),
            ..InspectionFilter::default()
        };
        assert!(matches!(
            store.list_inspections(unknown).await,
            Err(Error::InspectionNotFound { id: 10_000 })
        ));
    }

    #[tokio::test]
    async fn filters_by_verdict_defect_and_local_days() {
        let (_dir, store) = temp_store().await;
        let boss = admin(&store).await;
        let (st1, st2) = (
            station(&store, &boss, "st1").await,
            station(&store, &boss, "st2").await,
        );
        let kst = FixedOffset::east_opt(9 * 3600).unwrap();
        let local = |d: u32, h: u32, m: u32, s: u32, ms: i64| {
            let date = if d == 28 {
                NaiveDate::from_ymd_opt(2025, 2, 28)
            } else {
                NaiveDate::from_ymd_opt(2025, 3, d)
            };
            let naive = date.unwrap().and_hms_opt(h, m, s).unwrap() + Duration::milliseconds(ms);
            kst.from_local_datetime(&naive).unwrap().with_timezone(&Utc)
        };
        let rows = [
            (
                "a",
                st1,
                local(28, 23, 59, 59, 999),
                Verdict::Ng,
                Some("scratch"),
                None,
            ),
            ("b", st1, local(1, 0, 0, 0, 0), Verdict::Ok, None, None),
            (
                "c",
                st1,
                local(1, 12, 0, 0, 0),
                Verdict::Ng,
                Some("scratch"),
                Some(7),
            ),
            (
                "d",
                st2,
                local(2, 8, 0, 0, 0),
                Verdict::Ng,
                Some(" dent "),
                Some(7),
            ),
            ("e", st1, local(2, 23, 59, 59, 999), Verdict::Ok, None, Some(7)),
            ("f", st1, local(3, 0, 0, 0, 0), Verdict::Ng, Some("dent"), None),
        ];
        let mut names = std::collections::HashMap::new();
        for (name, st, at, verdict, defect, op) in rows {
            let mut new = part(st, at, verdict);
            new.day = at.with_timezone(&kst).date_naive();
            new.defect_type = defect.map(Into::into);
            new.work_order_op_id = op;
            names.insert(store.record_inspection(new).await.unwrap(), name);
        }
        let list = async |filter: InspectionFilter| -> Vec<&str> {
            let rows = store.list_inspections(filter).await.unwrap();
            assert_newest_first(&rows);
            rows.iter().map(|r| names[&r.id]).collect()
        };

        let march = |first: u32, last: u32| {
            let day = |d| NaiveDate::from_ymd_opt(2025, 3, d).unwrap();
            day_range(day(first), day(last), &kst)
        };
        let (from, until) = march(1, 2);
        assert_eq!(stamp(from), "2025-02-28T15:00:00.000Z");
        assert_eq!(stamp(until), "2025-03-02T15:00:00.000Z");
        let days = |(from, until): (DateTime<Utc>, DateTime<Utc>)| InspectionFilter {
            from: Some(from),
            until: Some(until),
            ..InspectionFilter::default()
        };

        assert_eq!(
            list(InspectionFilter::default()).await,
            ["f", "e", "d", "c", "b", "a"]
        );
        // Both ends of the range are whole local days.
        assert_eq!(list(days(march(1, 2))).await, ["e", "d", "c", "b"]);
        assert_eq!(list(days(march(2, 2))).await, ["e", "d"]);
        assert_eq!(
            list(InspectionFilter {
                verdict: Some(Verdict::Ng),
                ..days(march(1, 2))
            })
            .await,
            ["d", "c"]
        );
        assert_eq!(
            list(InspectionFilter {
                verdict: Some(Verdict::Ok),
                ..InspectionFilter::default()
            })
            .await,
            ["e", "b"]
        );
        assert_eq!(
            list(InspectionFilter {
                defect_type: Some("scratch".into()),
                ..InspectionFilter::default()
            })
            .await,
            ["c", "a"]
        );
        // Defect types are stored trimmed.
        assert_eq!(
            list(InspectionFilter {
                defect_type: Some("dent".into()),
                ..days(march(1, 2))
            })
            .await,
            ["d"]
        );
        assert_eq!(
            list(InspectionFilter {
                work_order_op_id: Some(7),
                ..InspectionFilter::default()
            })
            .await,
            ["e", "d", "c"]
        );
        assert_eq!(
            list(InspectionFilter {
                station_id: Some(st1),
                verdict: Some(Verdict::Ng),
                ..InspectionFilter::default()
            })
            .await,
            ["f", "c", "a"]
        );
        // A day's counters and the same day's history agree.
        let march2 = NaiveDate::from_ymd_opt(2025, 3, 2).unwrap();
        let counted = store.counters(st1, march2).await.unwrap().total
            + store.counters(st2, march2).await.unwrap().total;
        assert_eq!(counted, 2);
    }

    #[tokio::test]
    async fn recent_ng_lists_one_stations_rejections() {
        let (_dir, store) = temp_store().await;
        let boss = admin(&store).await;
        let (st1, st2) = (
            station(&store, &boss, "st1").await,
            station(&store, &boss, "st2").await,
        );
        let mut st1_ng = Vec::new();
        for i in 0..30 {
            let at = t0() + Duration::seconds(i);
            let (st, verdict) = match i % 3 {
                0 => (st1, Verdict::Ng),
                1 => (st1, Verdict::Ok),
                _ => (st2, Verdict::Ng),
            };
            let mut new = part(st, at, verdict);
            new.image_path = Some(format!("2025-03-01/{st}/{i}.png"));
            let id = store.record_inspection(new).await.unwrap();
            if st == st1 && verdict == Verdict::Ng {
                st1_ng.push(id);
            }
        }
        let gallery = store.recent_ng(st1, 4).await.unwrap();
        let newest: Vec<InspectionId> = st1_ng.iter().rev().take(4).copied().collect();
        assert_eq!(gallery.iter().map(|r| r.id).collect::<Vec<_>>(), newest);
        assert!(
            gallery
                .iter()
                .all(|r| r.verdict == Verdict::Ng && r.station_id == st1)
        );
        assert_eq!(
            gallery[0].image_path.as_deref(),
            Some(format!("2025-03-01/{st1}/27.png").as_str())
        );
        assert_eq!(invalid(store.recent_ng(st1, 0).await).0, Field::Limit);
    }

    #[tokio::test]
    async fn counters_come_with_the_newest_inspection_they_count() {
        let (_dir, store) = temp_store().await;
        let boss = admin(&store).await;
        let st = station(&store, &boss, "st1").await;
        let day = t0().date_naive();
        assert_eq!(
            store.counters_as_of(st, day).await.unwrap(),
            (Counters::default(), None)
        );
        store
            .record_inspection(part(st, t0(), Verdict::Ok))
            .await
            .unwrap();
        let last = store
            .record_inspection(part(st, t0() + Duration::seconds(1), Verdict::Ng))
            .await
            .unwrap();
        let (counters, newest) = store.counters_as_of(st, day).await.unwrap();
        assert_eq!((counters.total, counters.ng, newest), (2, 1, Some(last)));
    }

    #[tokio::test]
    async fn reviewed_parts_with_kept_images_are_listed_for_teaching() {
        let (_dir, store) = temp_store().await;
        let boss = admin(&store).await;
        let st = station(&store, &boss, "st1").await;
        let other = station(&store, &boss, "st2").await;
        let with_image = |station, secs, verdict, path: &str| NewInspection {
            image_path: Some(path.into()),
            ..part(station, t0() + Duration::seconds(secs), verdict)
        };
        let ng = store
            .record_inspection(with_image(st, 0, Verdict::Ng, "d/ng.jpg"))
            .await
            .unwrap();
        let ok = store
            .record_inspection(with_image(st, 1, Verdict::Ok, "d/ok.jpg"))
            .await
            .unwrap();
        let unseen = store
            .record_inspection(part(st, t0() + Duration::seconds(2), Verdict::Ok))
            .await
            .unwrap();
        let elsewhere = store
            .record_inspection(with_image(other, 3, Verdict::Ng, "d/x.jpg"))
            .await
            .unwrap();
        let _unreviewed = store
            .record_inspection(with_image(st, 4, Verdict::Ng, "d/y.jpg"))
            .await
            .unwrap();
        for (id, r) in [
            (ok, Relabel::Escape),
            (ng, Relabel::FalseAlarm),
            (unseen, Relabel::Escape),
            (elsewhere, Relabel::FalseAlarm),
        ] {
            store.relabel_inspection(id, r, &boss, "pc1").await.unwrap();
        }
        assert_eq!(
            store.reviewed_images(st).await.unwrap(),
            vec![
                (ng, RelabelKind::FalseAlarm, "d/ng.jpg".to_string()),
                (ok, RelabelKind::Escape, "d/ok.jpg".to_string()),
            ]
        );
    }

    #[tokio::test]
    async fn relabel_follows_the_verdict_and_is_audited() {
        let (_dir, store) = temp_store().await;
        let boss = admin(&store).await;
        let st = station(&store, &boss, "st1").await;
        let ng = store
            .record_inspection(part(st, t0(), Verdict::Ng))
            .await
            .unwrap();
        let ok = store
            .record_inspection(part(st, t0() + Duration::seconds(1), Verdict::Ok))
            .await
            .unwrap();
        let counters = store.counters(st, t0().date_naive()).await.unwrap();
        let audits = count(&store, "audit_log").await;

        assert!(matches!(
            store.relabel_inspection(ng, Relabel::Escape, &boss, "pc2").await,
            Err(Error::RelabelNotAllowed {
                relabel: Relabel::Escape,
                verdict: Verdict::Ng
            })
        ));
        assert!(matches!(
            store
                .relabel_inspection(ok, Relabel::FalseAlarm, &boss, "pc2")
                .await,
            Err(Error::RelabelNotAllowed {
                relabel: Relabel::FalseAlarm,
                verdict: Verdict::Ok
            })
        ));
        assert!(matches!(
            store.relabel_inspection(999, Relabel::Clear, &boss, "pc2").await,
            Err(Error::InspectionNotFound { id: 999 })
        ));
        // Taking back a review that is not there writes nothing.
        store
            .relabel_inspection(ng, Relabel::Clear, &boss, "pc2")
            .await
            .unwrap();
        assert_eq!(count(&store, "audit_log").await, audits);

        let marked = store
            .relabel_inspection(ng, Relabel::FalseAlarm, &boss, "pc2")
            .await
            .unwrap();
        assert_eq!(marked.relabel, Some(RelabelKind::FalseAlarm));
        assert_eq!(marked.relabelled_by, Some(boss.id));
        assert!(marked.relabelled_at.is_some());
        assert_eq!(marked.verdict, Verdict::Ng);
        assert_eq!(store.get_inspection(ng).await.unwrap(), marked);
        let entry = &store.audit_recent(1).await.unwrap()[0];
        assert_eq!(
            (
                entry.action.as_str(),
                entry.entity.as_str(),
                entry.machine.as_str()
            ),
            ("update", "inspection", "pc2")
        );
        assert_eq!(entry.entity_id, Some(ng.to_string()));
        assert_eq!(
            (entry.user_id, entry.username.as_deref()),
            (Some(boss.id), Some("boss"))
        );
        assert_eq!(
            json(entry.before_json.as_deref())["relabel"],
            serde_json::Value::Null
        );
        assert_eq!(json(entry.after_json.as_deref())["relabel"], "false_alarm");
        assert_eq!(json(entry.after_json.as_deref())["relabelledBy"], boss.id);

        // The same review again changes nothing.
        let again = store
            .relabel_inspection(ng, Relabel::FalseAlarm, &boss, "pc2")
            .await
            .unwrap();
        assert_eq!(again, marked);
        assert_eq!(count(&store, "audit_log").await, audits + 1);

        let cleared = store
            .relabel_inspection(ng, Relabel::Clear, &boss, "pc2")
            .await
            .unwrap();
        assert_eq!(
            (cleared.relabel, cleared.relabelled_by, cleared.relabelled_at),
            (None, None, None)
        );
        let entry = &store.audit_recent(1).await.unwrap()[0];
        assert_eq!(json(entry.before_json.as_deref())["relabel"], "false_alarm");
        assert_eq!(
            json(entry.after_json.as_deref())["relabel"],
            serde_json::Value::Null
        );

        let escaped = store
            .relabel_inspection(ok, Relabel::Escape, &boss, "pc2")
            .await
            .unwrap();
        assert_eq!(escaped.relabel, Some(RelabelKind::Escape));
        assert_eq!(count(&store, "audit_log").await, audits + 3);

        // Reviews leave the station's counts as it judged, and what it
        // measured cannot be edited at all.
        assert_eq!(store.counters(st, t0().date_naive()).await.unwrap(), counters);
        let edit = sqlx::query("UPDATE inspections SET verdict = 'ok' WHERE id = ?")
            .bind(ng)
            .execute(&store.pool)
            .await;
        assert!(edit.unwrap_err().to_string().contains("cannot be changed"));
    }

    #[tokio::test]
    async fn a_part_without_a_score_is_kept_as_rejected() {
        let (_dir, store) = temp_store().await;
        let boss = admin(&store).await;
        let st = station(&store, &boss, "st1").await;
        let audits = count(&store, "audit_log").await;

        let mut failed = part(st, t0() + Duration::nanoseconds(123_456_789), Verdict::Ng);
        failed.score = f64::NAN;
        let id = store.record_inspection(failed).await.unwrap();
        let row = store.get_inspection(id).await.unwrap();
        assert_eq!(row.score, None);
        assert_eq!(row.verdict, Verdict::Ng);
        assert_eq!(row.at, t0() + Duration::milliseconds(123));
        let at: String = sqlx::query_scalar("SELECT at FROM inspections WHERE id = ?")
            .bind(id)
            .fetch_one(&store.pool)
            .await
            .unwrap();
        assert_eq!(at, "2025-03-01T00:00:00.123Z");

        let mut overflow = part(st, t0(), Verdict::Ng);
        overflow.score = f64::INFINITY;
        let id = store.record_inspection(overflow).await.unwrap();
        assert_eq!(store.get_inspection(id).await.unwrap().score, None);
        let ng = Counters {
            total: 2,
            ok: 0,
            ng: 2,
        };
        assert_eq!(store.counters(st, t0().date_naive()).await.unwrap(), ng);

        // A part cannot pass without a score, and a threshold is always a number.
        for score in [f64::NAN, f64::NEG_INFINITY] {
            let mut passed = part(st, t0(), Verdict::Ok);
            passed.score = score;
            assert_eq!(
                invalid(store.record_inspection(passed).await),
                (Field::Score, Rule::NotFinite)
            );
        }
        let mut no_threshold = part(st, t0(), Verdict::Ng);
        no_threshold.threshold = f64::NAN;
        assert_eq!(
            invalid(store.record_inspection(no_threshold).await),
            (Field::Threshold, Rule::NotFinite)
        );
        let mut outside = part(st, t0(), Verdict::Ng);
        outside.image_path = Some("../../etc/passwd".into());
        assert_eq!(
            invalid(store.record_inspection(outside).await),
            (Field::ImagePath, Rule::NotRelativePath)
        );
        let mut absolute = part(st, t0(), Verdict::Ng);
        absolute.heatmap_path = Some("/tmp/heat.png".into());
        assert_eq!(
            invalid(store.record_inspection(absolute).await),
            (Field::HeatmapPath, Rule::NotRelativePath)
        );
        assert_eq!(store.counters(st, t0().date_naive()).await.unwrap(), ng);
        assert_eq!(count(&store, "audit_log").await, audits);
    }

    #[tokio::test]
    async fn acknowledged_records_survive_a_crash() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("linesight.db");
        let store = Store::open(&path).await.unwrap();
        let boss = admin(&store).await;
        let st = station(&store, &boss, "st1").await;
        let mut ids = HashSet::new();
        for i in 0..200 {
            let verdict = if i % 10 == 0 { Verdict::Ng } else { Verdict::Ok };
            let at = t0() + Duration::milliseconds(i * 33);
            ids.insert(store.record_inspection(part(st, at, verdict)).await.unwrap());
        }

        // The files as a killed process leaves them: copied while the store
        // is still open, with no checkpoint and no close (the WAL is replayed
        // on open; the shared-memory index is rebuilt from it).
        let crashed = tempfile::tempdir().unwrap();
        for name in ["linesight.db", "linesight.db-wal"] {
            std::fs::copy(dir.path().join(name), crashed.path().join(name)).unwrap();
        }
        drop(store);

        for path in [crashed.path().join("linesight.db"), path] {
            let reopened = Store::open(&path).await.unwrap();
            let rows = all_pages(
                &reopened,
                &InspectionFilter {
                    limit: MAX_PAGE,
                    ..InspectionFilter::default()
                },
            )
            .await;
            assert_eq!(
                rows.iter().map(|r| r.id).collect::<HashSet<_>>(),
                ids,
                "{}",
                path.display()
            );
            let counters = reopened.counters(st, t0().date_naive()).await.unwrap();
            assert_eq!(
                counters,
                Counters {
                    total: 200,
                    ok: 180,
                    ng: 20
                }
            );
            reopened.close().await;
        }
    }

    /// Every filter the history screen sends reads an index in newest-first
    /// order: no full scan of the table, no sort of everything that matches.
    #[tokio::test]
    async fn list_queries_read_an_index_in_order() {
        let (_dir, store) = temp_store().await;
        let (from, until) = (Some(t0()), Some(t0() + Duration::days(1)));
        let base = InspectionFilter::default();
        let filters = [
            base.clone(),
            InspectionFilter {
                station_id: Some(1),
                ..base.clone()
            },
            InspectionFilter {
                verdict: Some(Verdict::Ng),
                ..base.clone()
            },
            InspectionFilter {
                defect_type: Some("dent".into()),
                ..base.clone()
            },
            InspectionFilter {
                work_order_op_id: Some(7),
                ..base.clone()
            },
            InspectionFilter {
                from,
                until,
                ..base.clone()
            },
            InspectionFilter {
                station_id: Some(1),
                verdict: Some(Verdict::Ng),
                ..base.clone()
            },
            InspectionFilter {
                station_id: Some(1),
                from,
                until,
                ..base.clone()
            },
            InspectionFilter {
                verdict: Some(Verdict::Ok),
                from,
                until,
                ..base.clone()
            },
            InspectionFilter {
                defect_type: Some("dent".into()),
                from,
                ..base.clone()
            },
        ];
        for filter in filters {
            for cursor in [None, Some(("2025-03-01T00:00:00.000Z".to_owned(), 42))] {
                let mut query = list_query("EXPLAIN QUERY PLAN ", &filter, cursor.clone(), 100);
                let plan: Vec<(i64, i64, i64, String)> =
                    query.build_query_as().fetch_all(&store.pool).await.unwrap();
                let plan: Vec<String> = plan.into_iter().map(|row| row.3).collect();
                let text = plan.join("; ");
                assert!(
                    plan.iter()
                        .all(|step| step.contains("USING") && !step.contains("TEMP B-TREE")),
                    "{filter:?} {cursor:?}: {text}"
                );
            }
        }
    }
}
