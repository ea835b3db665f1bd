//! Master data (기준정보): the records every other screen picks from.
//!
//! Each kind of record is a [`Master`]: a row type read from its list view,
//! an input type the form sends, and the rules that turn one into the
//! other. Listing, paging, search, sort, saving with its audit row, export
//! and all-or-nothing import are written once, here, for all of them.
//! Records are switched off, never deleted: history refers to them.

pub mod equipment;
pub mod items;
pub mod lead_times;
pub mod partners;
pub mod reference;

use chrono::Utc;
use serde::{Deserialize, Serialize};
use sqlx::{AssertSqlSafe, FromRow, Sqlite, SqliteConnection, sqlite::SqliteRow};

use crate::{
    Error, Field, Result, Rule, Store,
    audit::{self, Action, Entry},
    auth::User,
    validate,
};

/// The largest page a list returns.
pub const MAX_PAGE: u32 = 500;
/// The most rows one export or import holds.
pub const MAX_ROWS: u32 = 200_000;

/// Which rows of a list to show, in which order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ListQuery {
    /// Part of any searched column, any case.
    pub search: Option<String>,
    /// A sortable column (camelCase, as the row names it); none: the default.
    pub sort: Option<String>,
    pub descending: bool,
    /// Also the records switched off.
    pub include_inactive: bool,
    /// Only the records under this one (the codes of a group, the routings of an item).
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub parent_id: Option<i64>,
    pub offset: u32,
    /// 1..=[`MAX_PAGE`].
    pub limit: u32,
}

/// One page of a list and how many rows match in all.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    pub rows: Vec<T>,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub total: i64,
}

/// A value written to a column.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Text(Option<String>),
    Int(Option<i64>),
    Real(f64),
    Bool(bool),
}

/// A kind of master record.
pub trait Master: for<'r> FromRow<'r, SqliteRow> + Serialize + Send + Unpin + 'static {
    /// What the form sends.
    type Input: Send;
    /// The name the audit trail gives it.
    const ENTITY: &'static str;
    /// The table written.
    const TABLE: &'static str;
    /// The view read: the table with what it shows of the records it refers to.
    const VIEW: &'static str;
    /// The columns written, in the order of [`Master::values`].
    const COLUMNS: &'static [&'static str];
    /// The view's columns a search looks in.
    const SEARCH: &'static [&'static str];
    /// (camelCase name, view column) of each sortable column; the first is the default order.
    const SORTS: &'static [(&'static str, &'static str)];
    /// The view column [`ListQuery::parent_id`] filters on, if any.
    const PARENT: Option<&'static str> = None;
    /// The trigram full-text index over the searched columns, for kinds that
    /// grow to many thousands of records; none: searches scan.
    const FULL_TEXT: Option<&'static str> = None;
    /// The field a duplicate (a UNIQUE index) names.
    const UNIQUE: Field;

    /// Checks and normalises the input into the values of [`Master::COLUMNS`].
    fn values(input: Self::Input) -> Result<Vec<Val>>;
}

fn bind_all<'q>(
    mut q: sqlx::query::Query<'q, Sqlite, sqlx::sqlite::SqliteArguments>,
    values: Vec<Val>,
) -> sqlx::query::Query<'q, Sqlite, sqlx::sqlite::SqliteArguments> {
    for v in values {
        q = match v {
            Val::Text(t) => q.bind(t),
            Val::Int(i) => q.bind(i),
            Val::Real(r) => q.bind(r),
            Val::Bool(b) => q.bind(b),
        };
    }
    q
}

/// `%term%` for LIKE, with the wildcards in the term taken literally.
pub(crate) fn like_pattern(term: &str) -> String {
    let escaped = term.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

/// ` AND (c1 LIKE … OR c2 LIKE …)`: `term` anywhere in any of `columns`,
/// its wildcards taken literally. `columns` are the caller's constants.
pub(crate) fn push_search(q: &mut sqlx::QueryBuilder<Sqlite>, columns: &[&str], term: &str) {
    let pattern = like_pattern(term);
    q.push(" AND (");
    for (i, column) in columns.iter().enumerate() {
        if i > 0 {
            q.push(" OR ");
        }
        q.push(format_args!("{column} LIKE "))
            .push_bind(pattern.clone())
            .push(" ESCAPE '\\'");
    }
    q.push(")");
}

/// The WHERE clause of a list query (the SQL is made only of the kind's constants).
fn push_filters<M: Master>(q: &mut sqlx::QueryBuilder<Sqlite>, query: &ListQuery) {
    q.push(" WHERE 1 = 1");
    if !query.include_inactive {
        q.push(" AND active = 1");
    }
    if let (Some(column), Some(parent)) = (M::PARENT, query.parent_id) {
        q.push(format_args!(" AND {column} = ")).push_bind(parent);
    }
    let Some(term) = query.search.as_deref().map(str::trim).filter(|t| !t.is_empty()) else {
        return;
    };
    // A trigram index finds substrings of three characters or more.
    if let (Some(index), true) = (M::FULL_TEXT, term.chars().count() >= 3) {
        q.push(format_args!(
            " AND id IN (SELECT rowid FROM {index} WHERE {index} MATCH "
        ))
        .push_bind(format!("\"{}\"", term.replace('"', "\"\"")))
        .push(")");
    } else {
        push_search(q, M::SEARCH, term);
    }
}

/// The view's column for a sort name, or the default.
fn sort_column<M: Master>(sort: Option<&str>) -> &'static str {
    sort.and_then(|s| M::SORTS.iter().find(|(name, _)| *name == s))
        .unwrap_or(&M::SORTS[0])
        .1
}

pub(crate) async fn get_in<M: Master>(conn: &mut SqliteConnection, id: i64) -> Result<M> {
    let sql = format!("SELECT * FROM {} WHERE id = ?", M::VIEW);
    sqlx::query_as(AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(Error::NotFound {
            entity: M::ENTITY,
            id,
        })
}

/// Inserts a new record from checked values; returns its id.
pub(crate) async fn insert_in<M: Master>(conn: &mut SqliteConnection, values: Vec<Val>) -> Result<i64> {
    let now = Utc::now();
    let sql = format!(
        "INSERT INTO {} ({}, created_at, updated_at) VALUES ({}?, ?) RETURNING id",
        M::TABLE,
        M::COLUMNS.join(", "),
        "?, ".repeat(M::COLUMNS.len())
    );
    let row = bind_all(sqlx::query(AssertSqlSafe(sql)), values)
        .bind(now)
        .bind(now)
        .fetch_one(conn)
        .await
        .map_err(|e| Error::taken(e, M::UNIQUE))?;
    Ok(sqlx::Row::try_get(&row, 0)?)
}

pub(crate) async fn update_in<M: Master>(
    conn: &mut SqliteConnection,
    id: i64,
    values: Vec<Val>,
) -> Result<()> {
    let sets: Vec<String> = M::COLUMNS.iter().map(|c| format!("{c} = ?")).collect();
    let sql = format!(
        "UPDATE {} SET {}, updated_at = ? WHERE id = ?",
        M::TABLE,
        sets.join(", ")
    );
    bind_all(sqlx::query(AssertSqlSafe(sql)), values)
        .bind(Utc::now())
        .bind(id)
        .execute(conn)
        .await
        .map_err(|e| Error::taken(e, M::UNIQUE))?;
    Ok(())
}

/// Whether two records are the same apart from when they were last changed.
fn unchanged<T: Serialize>(before: &T, after: &T) -> bool {
    let strip = |r: &T| {
        let mut v = serde_json::to_value(r).unwrap_or_default();
        if let Some(o) = v.as_object_mut() {
            o.remove("updatedAt");
        }
        v
    };
    strip(before) == strip(after)
}

/// Writes a new record (`id` none) or changes one, in `conn`'s transaction,
/// with its audit row; returns the record as listed. Nothing is written
/// when nothing changes.
pub(crate) async fn save_in<M: Master>(
    conn: &mut SqliteConnection,
    id: Option<i64>,
    values: Vec<Val>,
    actor: &User,
    machine: &str,
) -> Result<M> {
    let now = Utc::now();
    match id {
        None => {
            let id = insert_in::<M>(conn, values).await?;
            let after: M = get_in(conn, id).await?;
            let entry = Entry::change(actor, machine, Action::Create, M::ENTITY, id, None::<&M>, &after);
            audit::write(conn, now, entry).await?;
            Ok(after)
        }
        Some(id) => {
            let before: M = get_in(conn, id).await?;
            let stamp = format!("SELECT updated_at FROM {} WHERE id = ?", M::TABLE);
            let updated_at: String = sqlx::query_scalar(AssertSqlSafe(stamp))
                .bind(id)
                .fetch_one(&mut *conn)
                .await?;
            update_in::<M>(conn, id, values).await?;
            let after: M = get_in(conn, id).await?;
            if unchanged(&before, &after) {
                // Saved as it was: it keeps its time of change, and no audit row says otherwise.
                let restore = format!("UPDATE {} SET updated_at = ? WHERE id = ?", M::TABLE);
                sqlx::query(AssertSqlSafe(restore))
                    .bind(updated_at)
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
                return Ok(before);
            }
            let entry = Entry::change(
                actor,
                machine,
                Action::Update,
                M::ENTITY,
                id,
                Some(&before),
                &after,
            );
            audit::write(conn, now, entry).await?;
            Ok(after)
        }
    }
}

/// The rows of an import file: each row's number in the file and its
/// input, or what was wrong with its cells.
pub type ImportRows<I> = Vec<(u32, Result<I>)>;

/// One bad row of an import: its row number in the file and what it broke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    pub row: u32,
    pub field: Field,
    pub rule: Rule,
}

impl Store {
    /// A page of `M`'s records matching `query`, and how many match in all.
    pub async fn list<M: Master>(&self, query: &ListQuery) -> Result<Page<M>> {
        let limit = validate::in_range(Field::Limit, query.limit, 1, MAX_PAGE)?;
        self.rows(query, limit).await
    }

    /// Every record matching `query` for an export, up to [`MAX_ROWS`];
    /// `total` says how many match, so a cut list can say so.
    pub async fn list_all<M: Master>(&self, query: &ListQuery) -> Result<Page<M>> {
        self.rows(
            &ListQuery {
                offset: 0,
                ..query.clone()
            },
            MAX_ROWS,
        )
        .await
    }

    async fn rows<M: Master>(&self, query: &ListQuery, limit: u32) -> Result<Page<M>> {
        let mut conn = self.pool.acquire().await?;
        let mut count = sqlx::QueryBuilder::<Sqlite>::new(format!("SELECT COUNT(*) FROM {}", M::VIEW));
        push_filters::<M>(&mut count, query);
        let total: i64 = count.build_query_scalar().fetch_one(&mut *conn).await?;

        // The page's ids first: the walk to a deep page then reads an index, not every row.
        let mut q = sqlx::QueryBuilder::<Sqlite>::new(format!(
            "SELECT * FROM {view} WHERE id IN (SELECT id FROM {view}",
            view = M::VIEW
        ));
        push_filters::<M>(&mut q, query);
        let column = sort_column::<M>(query.sort.as_deref());
        let direction = if query.descending { "DESC" } else { "ASC" };
        let order = format!(" ORDER BY {column} {direction}, id {direction}");
        q.push(&order)
            .push(" LIMIT ")
            .push_bind(i64::from(limit))
            .push(" OFFSET ")
            .push_bind(i64::from(query.offset))
            .push(")")
            .push(&order);
        let rows = q.build_query_as().fetch_all(&mut *conn).await?;
        Ok(Page { rows, total })
    }

    pub async fn get<M: Master>(&self, id: i64) -> Result<M> {
        let mut conn = self.pool.acquire().await?;
        get_in(&mut conn, id).await
    }

    /// Adds a record (`id` none) or changes one, in one transaction with its
    /// audit row. Switching a record off is a change of its `active`.
    pub async fn save<M: Master>(
        &self,
        id: Option<i64>,
        input: M::Input,
        actor: &User,
        machine: &str,
    ) -> Result<M> {
        let values = M::values(input)?;
        let mut tx = self.write().await?;
        let saved = save_in::<M>(&mut tx, id, values, actor, machine).await?;
        tx.commit().await?;
        Ok(saved)
    }

    /// Adds every record of a file in one transaction, or none. Each row
    /// comes with its number in the file and its input, or what was wrong
    /// with its cells; a file with any bad row (a broken rule, or a
    /// duplicate of a stored record or of another row) is refused whole
    /// with every bad row in the error.
    pub async fn import<M: Master>(
        &self,
        rows: ImportRows<M::Input>,
        actor: &User,
        machine: &str,
    ) -> Result<usize> {
        validate::in_range(Field::Limit, rows.len() as u32, 1, MAX_ROWS)?;
        let count = rows.len();
        let mut problems = Vec::new();
        let mut tx = self.write().await?;
        for (row, input) in rows {
            let saved = match input.and_then(M::values) {
                Ok(values) => save_in::<M>(&mut tx, None, values, actor, machine)
                    .await
                    .map(|_| ()),
                Err(e) => Err(e),
            };
            match saved {
                Ok(()) => {}
                Err(Error::Invalid { field, rule }) => problems.push(RowProblem { row, field, rule }),
                Err(other) => return Err(other),
            }
        }
        if !problems.is_empty() {
            return Err(Error::ImportRefused { problems });
        }
        tx.commit().await?;
        Ok(count)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::store::tests::temp_store;

    /// An actor for store calls, stored as a real user so audit rows refer to one.
    pub async fn actor(store: &Store) -> User {
        store
            .create_first_admin(
                crate::auth::NewAdmin {
                    username: "admin".into(),
                    display_name: "관리자".into(),
                    password: "correct horse".into(),
                },
                "test",
            )
            .await
            .unwrap()
    }

    pub fn page() -> ListQuery {
        ListQuery {
            limit: 50,
            ..ListQuery::default()
        }
    }

    #[test]
    fn like_patterns_take_wildcards_literally() {
        assert_eq!(like_pattern("a%b_c\\"), "%a\\%b\\_c\\\\%");
    }

    #[tokio::test]
    async fn unknown_sort_falls_back_and_bad_limits_are_refused() {
        let (_dir, store) = temp_store().await;
        let q = ListQuery {
            sort: Some("name; DROP TABLE processes".into()),
            ..page()
        };
        let list = store.list::<reference::Process>(&q).await.unwrap();
        assert_eq!(list.total, 5, "the seeded processes");
        let bad = ListQuery { limit: 0, ..page() };
        assert!(matches!(
            store.list::<reference::Process>(&bad).await,
            Err(Error::Invalid {
                field: Field::Limit,
                ..
            })
        ));
    }
}
