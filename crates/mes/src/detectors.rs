//! What the flow and safety detectors saw (출입관리, 화재감지): objects
//! crossing a station's counting line, up or down, with the day's running
//! totals; flame and smoke from start to end, each raising a station alarm
//! that someone must acknowledge (the same alarm and acknowledgment as the
//! stop-the-line alarm). Recording is the station's own record, like an
//! inspection: no audit row; acknowledging is audited in [`crate::alarms`].

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{QueryBuilder, Sqlite};

use crate::{
    Error, Field, Result, Store,
    alarms::AlarmKind,
    inspections::{StationId, stamp},
    master::{MAX_ROWS, Page},
    validate,
};

/// The longest range one log page covers.
pub const MAX_DAYS: i64 = 366;
/// Rows one log page holds at most.
pub const MAX_PAGE: u32 = 500;

/// Which way an object crossed the line: up is from the side the line's
/// normal points away from (as the detector defines it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, sqlx::Type)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
#[sqlx(rename_all = "snake_case")]
pub enum Direction {
    Up,
    Down,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCrossing {
    pub station_id: StationId,
    pub at: DateTime<Utc>,
    /// The recording machine's local day of `at`.
    pub day: NaiveDate,
    /// Where the line is (출입구 A), as the station's settings name it.
    pub place: String,
    pub direction: Direction,
    /// Relative to the app-data images folder.
    pub snapshot_path: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Crossing {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub id: i64,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub station_id: StationId,
    pub station_name: String,
    pub at: DateTime<Utc>,
    pub day: NaiveDate,
    pub place: String,
    pub direction: Direction,
    /// The station's crossings that day up to and including this one.
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub total_up: i64,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub total_down: i64,
    pub snapshot_path: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, sqlx::Type)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
#[sqlx(rename_all = "snake_case")]
pub enum FireKind {
    Fire,
    Smoke,
}

impl FireKind {
    fn alarm(self) -> AlarmKind {
        match self {
            FireKind::Fire => AlarmKind::Fire,
            FireKind::Smoke => AlarmKind::Smoke,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct FireEvent {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub id: i64,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub station_id: StationId,
    pub station_name: String,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub alarm_id: i64,
    pub kind: FireKind,
    pub place: String,
    pub day: NaiveDate,
    pub started_at: DateTime<Utc>,
    /// None while it lasts.
    pub ended_at: Option<DateTime<Utc>>,
    pub snapshot_path: Option<String>,
    pub acknowledged_by: Option<String>,
    pub acknowledged_at: Option<DateTime<Utc>>,
}

/// A log page: local days `first..=last`, optionally one station, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct EventFilter {
    pub first: NaiveDate,
    pub last: NaiveDate,
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub station_id: Option<StationId>,
    pub offset: u32,
    pub limit: u32,
}

/// [`Crossing`]'s query, for `concat!` (sqlx takes only static SQL).
macro_rules! crossing_select {
    () => {
        "SELECT c.id, c.station_id, s.name AS station_name, c.at, c.day, c.place, c.direction,
                c.total_up, c.total_down, c.snapshot_path
         FROM crossings c JOIN stations s ON s.id = c.station_id"
    };
}

/// [`FireEvent`]'s query, with who acknowledged its alarm.
macro_rules! fire_select {
    () => {
        "SELECT f.id, f.station_id, s.name AS station_name, f.alarm_id, f.kind, f.place, f.day,
                f.started_at, f.ended_at, f.snapshot_path, u.display_name AS acknowledged_by, a.acknowledged_at
         FROM fire_events f JOIN stations s ON s.id = f.station_id
         JOIN station_alarms a ON a.id = f.alarm_id
         LEFT JOIN users u ON u.id = a.acknowledged_by"
    };
}

/// ` WHERE …` of a log filter on table alias `t`, and the page's limit.
fn push_filter(q: &mut QueryBuilder<Sqlite>, t: &str, filter: &EventFilter) {
    q.push(format!(" WHERE {t}.day BETWEEN "))
        .push_bind(filter.first.to_string())
        .push(" AND ")
        .push_bind(filter.last.to_string());
    if let Some(station) = filter.station_id {
        q.push(format!(" AND {t}.station_id = ")).push_bind(station);
    }
}

fn check(filter: &EventFilter, max: u32) -> Result<u32> {
    validate::int_range(
        Field::Period,
        (filter.last - filter.first).num_days(),
        0,
        MAX_DAYS - 1,
    )?;
    validate::in_range(Field::Limit, filter.limit, 1, max)
}

/// Every row of `filter`'s range (up to [`MAX_ROWS`]), for an export.
fn everything(filter: &EventFilter) -> EventFilter {
    EventFilter {
        offset: 0,
        limit: MAX_ROWS,
        ..filter.clone()
    }
}

impl Store {
    /// Records a crossing with the day's running totals at its station, in
    /// one transaction, so two crossings at once never share a total.
    pub async fn record_crossing(&self, new: NewCrossing) -> Result<Crossing> {
        let place = validate::text(Field::Name, &new.place, 1, 100)?;
        let snapshot = validate::relative_path(Field::ImagePath, new.snapshot_path)?;
        let mut tx = self.write().await?;
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO crossings (station_id, at, day, place, direction, total_up, total_down, snapshot_path)
             SELECT s.id, ?2, ?3, ?4, ?5,
                    (SELECT COUNT(*) FROM crossings c WHERE c.station_id = s.id AND c.day = ?3 AND c.direction = 'up')
                        + (?5 = 'up'),
                    (SELECT COUNT(*) FROM crossings c WHERE c.station_id = s.id AND c.day = ?3 AND c.direction = 'down')
                        + (?5 = 'down'),
                    ?6
             FROM stations s WHERE s.id = ?1
             RETURNING id",
        )
        .bind(new.station_id)
        .bind(stamp(new.at))
        .bind(new.day.to_string())
        .bind(place)
        .bind(new.direction)
        .bind(snapshot)
        .fetch_optional(&mut *tx)
        .await?;
        let id = id.ok_or(Error::StationNotFound { id: new.station_id })?;
        let row = sqlx::query_as(concat!(crossing_select!(), " WHERE c.id = ?"))
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(row)
    }

    pub async fn crossing(&self, id: i64) -> Result<Crossing> {
        sqlx::query_as(concat!(crossing_select!(), " WHERE c.id = ?"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(Error::NotFound {
                entity: "crossing",
                id,
            })
    }

    pub async fn fire_event(&self, id: i64) -> Result<FireEvent> {
        sqlx::query_as(concat!(fire_select!(), " WHERE f.id = ?"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(Error::NotFound {
                entity: "fire_event",
                id,
            })
    }

    /// A station's crossings of a local day, up and down.
    pub async fn crossing_totals(&self, station_id: StationId, day: NaiveDate) -> Result<(i64, i64)> {
        Ok(sqlx::query_as(
            "SELECT COALESCE(SUM(direction = 'up'), 0), COALESCE(SUM(direction = 'down'), 0)
             FROM crossings WHERE station_id = ? AND day = ?",
        )
        .bind(station_id)
        .bind(day.to_string())
        .fetch_one(&self.pool)
        .await?)
    }

    /// The entrance log (출입 로그), newest first.
    pub async fn list_crossings(&self, filter: &EventFilter) -> Result<Page<Crossing>> {
        self.crossing_page(filter, MAX_PAGE).await
    }

    /// The whole entrance log of `filter`'s range, for an export.
    pub async fn export_crossings(&self, filter: &EventFilter) -> Result<Page<Crossing>> {
        self.crossing_page(&everything(filter), MAX_ROWS).await
    }

    async fn crossing_page(&self, filter: &EventFilter, max: u32) -> Result<Page<Crossing>> {
        self.log_page(filter, max, "crossings c", crossing_select!(), "c", "c.at")
            .await
    }

    /// Flame or smoke seen at a station: opens its event and raises the
    /// alarm, in one transaction; while one of that kind is open at the
    /// station, that one is returned and nothing is written.
    pub async fn fire_started(
        &self,
        station_id: StationId,
        kind: FireKind,
        place: &str,
        at: DateTime<Utc>,
        day: NaiveDate,
        snapshot_path: Option<String>,
    ) -> Result<FireEvent> {
        let place = validate::text(Field::Name, place, 1, 100)?;
        let snapshot = validate::relative_path(Field::ImagePath, snapshot_path)?;
        let mut tx = self.write().await?;
        let open: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM fire_events WHERE station_id = ? AND kind = ? AND ended_at IS NULL",
        )
        .bind(station_id)
        .bind(kind)
        .fetch_optional(&mut *tx)
        .await?;
        let id = match open {
            Some(id) => id,
            None => {
                let message = match kind {
                    FireKind::Fire => format!("화재 감지: {place}"),
                    FireKind::Smoke => format!("연기 감지: {place}"),
                };
                let alarm: Option<i64> = sqlx::query_scalar(
                    "INSERT INTO station_alarms (station_id, raised_at, kind, message)
                     SELECT id, ?, ?, ? FROM stations WHERE id = ? RETURNING id",
                )
                .bind(stamp(at))
                .bind(kind.alarm())
                .bind(message)
                .bind(station_id)
                .fetch_optional(&mut *tx)
                .await?;
                let alarm = alarm.ok_or(Error::StationNotFound { id: station_id })?;
                sqlx::query_scalar(
                    "INSERT INTO fire_events (station_id, alarm_id, kind, place, day, started_at, snapshot_path)
                     VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                )
                .bind(station_id)
                .bind(alarm)
                .bind(kind)
                .bind(place)
                .bind(day.to_string())
                .bind(stamp(at))
                .bind(snapshot)
                .fetch_one(&mut *tx)
                .await?
            }
        };
        let event = fire_event(&mut tx, id).await?;
        tx.commit().await?;
        Ok(event)
    }

    /// The view is clear again: ends the station's open event of that kind, if any.
    pub async fn fire_ended(
        &self,
        station_id: StationId,
        kind: FireKind,
        at: DateTime<Utc>,
    ) -> Result<Option<FireEvent>> {
        let mut tx = self.write().await?;
        let id: Option<i64> = sqlx::query_scalar(
            "UPDATE fire_events SET ended_at = max(started_at, ?)
             WHERE station_id = ? AND kind = ? AND ended_at IS NULL RETURNING id",
        )
        .bind(stamp(at))
        .bind(station_id)
        .bind(kind)
        .fetch_optional(&mut *tx)
        .await?;
        let event = match id {
            Some(id) => Some(fire_event(&mut tx, id).await?),
            None => None,
        };
        tx.commit().await?;
        Ok(event)
    }

    /// The fire log (화재감지 로그), newest first.
    pub async fn list_fire_events(&self, filter: &EventFilter) -> Result<Page<FireEvent>> {
        self.fire_page(filter, MAX_PAGE).await
    }

    /// The whole fire log of `filter`'s range, for an export.
    pub async fn export_fire_events(&self, filter: &EventFilter) -> Result<Page<FireEvent>> {
        self.fire_page(&everything(filter), MAX_ROWS).await
    }

    async fn fire_page(&self, filter: &EventFilter, max: u32) -> Result<Page<FireEvent>> {
        self.log_page(filter, max, "fire_events f", fire_select!(), "f", "f.started_at")
            .await
    }

    /// One page of a log, newest first, with the count of all rows the
    /// filter matches: `table` as aliased `t`, read by `select`.
    async fn log_page<T>(
        &self,
        filter: &EventFilter,
        max: u32,
        table: &str,
        select: &str,
        t: &str,
        time: &str,
    ) -> Result<Page<T>>
    where
        T: Send + Unpin + for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>,
    {
        let limit = check(filter, max)?;
        let mut count = QueryBuilder::new(format!("SELECT COUNT(*) FROM {table}"));
        push_filter(&mut count, t, filter);
        let total: i64 = count.build_query_scalar().fetch_one(&self.pool).await?;
        let mut q = QueryBuilder::new(select);
        push_filter(&mut q, t, filter);
        q.push(format!(" ORDER BY {t}.day DESC, {time} DESC, {t}.id DESC LIMIT "))
            .push_bind(limit)
            .push(" OFFSET ")
            .push_bind(filter.offset);
        Ok(Page {
            rows: q.build_query_as().fetch_all(&self.pool).await?,
            total,
        })
    }
}

async fn fire_event(conn: &mut sqlx::SqliteConnection, id: i64) -> Result<FireEvent> {
    Ok(sqlx::query_as(concat!(fire_select!(), " WHERE f.id = ?"))
        .bind(id)
        .fetch_one(&mut *conn)
        .await?)
}

#[cfg(test)]
mod tests {
    use chrono::{Local, TimeZone};

    use super::*;
    use crate::{inspections::NewStation, master::tests::actor, store::tests::temp_store};

    fn at(d: &str, h: u32, m: u32) -> DateTime<Utc> {
        let day: NaiveDate = d.parse().unwrap();
        Local
            .from_local_datetime(&day.and_hms_opt(h, m, 0).unwrap())
            .earliest()
            .unwrap()
            .with_timezone(&Utc)
    }

    async fn plant() -> (tempfile::TempDir, Store, crate::auth::User, i64, i64) {
        let (dir, store) = temp_store().await;
        let admin = actor(&store).await;
        let mut ids = Vec::new();
        for name in ["정문 카메라", "창고 카메라"] {
            let s = store
                .create_station(
                    NewStation {
                        name: name.into(),
                        config_json: "{}".into(),
                    },
                    &admin,
                    "pc",
                )
                .await
                .unwrap();
            ids.push(s.id);
        }
        (dir, store, admin, ids[0], ids[1])
    }

    fn crossing(station: i64, d: &str, h: u32, m: u32, direction: Direction) -> NewCrossing {
        NewCrossing {
            station_id: station,
            at: at(d, h, m),
            day: d.parse().unwrap(),
            place: " 정문 ".into(),
            direction,
            snapshot_path: Some(format!("flow/{station}-{d}-{h}{m}.jpg")),
        }
    }

    fn filter(first: &str, last: &str, station_id: Option<i64>) -> EventFilter {
        EventFilter {
            first: first.parse().unwrap(),
            last: last.parse().unwrap(),
            station_id,
            offset: 0,
            limit: 100,
        }
    }

    #[tokio::test]
    async fn crossings_carry_the_days_running_totals_per_station_and_list_by_day() {
        let (_dir, store, _, gate, store_room) = plant().await;
        use Direction::{Down, Up};
        for (station, d, h, m, dir) in [
            (gate, "2026-11-02", 8, 0, Up),
            (gate, "2026-11-02", 8, 1, Up),
            (gate, "2026-11-02", 12, 0, Down),
            (store_room, "2026-11-02", 9, 0, Up),
            (gate, "2026-11-03", 8, 0, Down),
        ] {
            store
                .record_crossing(crossing(station, d, h, m, dir))
                .await
                .unwrap();
        }
        assert_eq!(
            store
                .crossing_totals(gate, "2026-11-02".parse().unwrap())
                .await
                .unwrap(),
            (2, 1)
        );
        // A new day starts from zero.
        assert_eq!(
            store
                .crossing_totals(gate, "2026-11-03".parse().unwrap())
                .await
                .unwrap(),
            (0, 1)
        );

        // The end day is included; newest first; totals as they stood.
        let page = store
            .list_crossings(&filter("2026-11-02", "2026-11-02", Some(gate)))
            .await
            .unwrap();
        assert_eq!(page.total, 3);
        let rows: Vec<_> = page
            .rows
            .iter()
            .map(|c| (c.direction, c.total_up, c.total_down))
            .collect();
        assert_eq!(rows, [(Down, 2, 1), (Up, 2, 0), (Up, 1, 0)]);
        assert_eq!(page.rows[0].place, "정문");
        assert_eq!(page.rows[0].station_name, "정문 카메라");
        assert_eq!(
            store
                .list_crossings(&filter("2026-11-01", "2026-11-03", None))
                .await
                .unwrap()
                .total,
            5
        );

        // Bad input is refused and nothing is written.
        let mut bad = crossing(gate, "2026-11-02", 9, 0, Up);
        bad.snapshot_path = Some("../../etc/passwd".into());
        assert!(store.record_crossing(bad).await.is_err());
        bad = crossing(999, "2026-11-02", 9, 0, Up);
        assert!(matches!(
            store.record_crossing(bad).await,
            Err(Error::StationNotFound { id: 999 })
        ));
        bad = crossing(gate, "2026-11-02", 9, 0, Up);
        bad.place = "  ".into();
        assert!(store.record_crossing(bad).await.is_err());
        assert_eq!(
            store
                .list_crossings(&filter("2026-11-01", "2026-11-03", None))
                .await
                .unwrap()
                .total,
            5
        );
        assert!(
            store
                .list_crossings(&filter("2026-01-01", "2027-06-01", None))
                .await
                .is_err()
        );
    }

    #[tokio::test]
    async fn fire_raises_one_alarm_until_it_ends_and_the_acknowledgment_shows_in_the_log() {
        let (_dir, store, admin, gate, _) = plant().await;
        let day: NaiveDate = "2026-11-02".parse().unwrap();
        let first = store
            .fire_started(
                gate,
                FireKind::Fire,
                "도장 부스",
                at("2026-11-02", 14, 0),
                day,
                None,
            )
            .await
            .unwrap();
        // Seen again while it burns: the same event and alarm.
        let again = store
            .fire_started(
                gate,
                FireKind::Fire,
                "도장 부스",
                at("2026-11-02", 14, 1),
                day,
                None,
            )
            .await
            .unwrap();
        assert_eq!((again.id, again.alarm_id), (first.id, first.alarm_id));
        let open = store.open_alarms(gate).await.unwrap();
        assert_eq!(open.len(), 1);
        assert_eq!(open[0].kind, AlarmKind::Fire);
        assert!(open[0].message.contains("도장 부스"));

        let ended = store
            .fire_ended(gate, FireKind::Fire, at("2026-11-02", 14, 5))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(ended.ended_at, Some(at("2026-11-02", 14, 5)));
        assert!(
            store
                .fire_ended(gate, FireKind::Fire, at("2026-11-02", 14, 6))
                .await
                .unwrap()
                .is_none()
        );
        // Ending does not acknowledge: someone still must.
        assert_eq!(store.open_alarms(gate).await.unwrap().len(), 1);
        store
            .acknowledge_alarm(first.alarm_id, &admin, "pc")
            .await
            .unwrap();

        // A new fire after the end is a new event.
        let second = store
            .fire_started(
                gate,
                FireKind::Smoke,
                "도장 부스",
                at("2026-11-02", 15, 0),
                day,
                None,
            )
            .await
            .unwrap();
        assert_ne!(second.id, first.id);
        let log = store
            .list_fire_events(&filter("2026-11-02", "2026-11-02", None))
            .await
            .unwrap();
        assert_eq!(log.total, 2);
        assert_eq!(log.rows[0].kind, FireKind::Smoke);
        assert_eq!(
            log.rows[1].acknowledged_by.as_deref(),
            Some(admin.display_name.as_str())
        );
        assert!(log.rows[1].acknowledged_at.is_some());
        assert!(
            store
                .fire_started(999, FireKind::Fire, "x", at("2026-11-02", 16, 0), day, None)
                .await
                .is_err()
        );
    }
}
