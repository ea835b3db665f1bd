-- Master lists stay fast at 100 000 records: a page in the default order
-- walks an index of in-use records, and a search of three or more
-- characters finds substrings through a trigram full-text index instead of
-- reading every row (shorter searches still scan).

-- One index per sortable column of the lists that grow large (see each kind's SORTS).
CREATE INDEX partners_active_name ON partners (active, name COLLATE NOCASE);
CREATE INDEX partners_active_kind ON partners (active, kind);
CREATE INDEX partners_active_biz_no ON partners (active, biz_no);
CREATE INDEX partners_active_ceo ON partners (active, ceo COLLATE NOCASE);
CREATE INDEX partners_active_updated ON partners (active, updated_at);
CREATE INDEX items_active_part_no ON items (active, part_no COLLATE NOCASE);
CREATE INDEX items_active_name ON items (active, name COLLATE NOCASE);
CREATE INDEX items_active_updated ON items (active, updated_at);
CREATE INDEX equipment_active_code ON equipment (active, code COLLATE NOCASE);

CREATE VIRTUAL TABLE partners_fts USING fts5(
    name, biz_no, ceo, phone, address, content = 'partners', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO partners_fts (rowid, name, biz_no, ceo, phone, address)
    SELECT id, name, biz_no, ceo, phone, address FROM partners;
CREATE TRIGGER partners_fts_insert AFTER INSERT ON partners BEGIN
    INSERT INTO partners_fts (rowid, name, biz_no, ceo, phone, address)
        VALUES (new.id, new.name, new.biz_no, new.ceo, new.phone, new.address);
END;
CREATE TRIGGER partners_fts_update AFTER UPDATE ON partners BEGIN
    INSERT INTO partners_fts (partners_fts, rowid, name, biz_no, ceo, phone, address)
        VALUES ('delete', old.id, old.name, old.biz_no, old.ceo, old.phone, old.address);
    INSERT INTO partners_fts (rowid, name, biz_no, ceo, phone, address)
        VALUES (new.id, new.name, new.biz_no, new.ceo, new.phone, new.address);
END;
CREATE TRIGGER partners_fts_delete AFTER DELETE ON partners BEGIN
    INSERT INTO partners_fts (partners_fts, rowid, name, biz_no, ceo, phone, address)
        VALUES ('delete', old.id, old.name, old.biz_no, old.ceo, old.phone, old.address);
END;

CREATE VIRTUAL TABLE items_fts USING fts5(
    part_no, name, spec, content = 'items', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO items_fts (rowid, part_no, name, spec) SELECT id, part_no, name, spec FROM items;
CREATE TRIGGER items_fts_insert AFTER INSERT ON items BEGIN
    INSERT INTO items_fts (rowid, part_no, name, spec) VALUES (new.id, new.part_no, new.name, new.spec);
END;
CREATE TRIGGER items_fts_update AFTER UPDATE ON items BEGIN
    INSERT INTO items_fts (items_fts, rowid, part_no, name, spec) VALUES ('delete', old.id, old.part_no, old.name, old.spec);
    INSERT INTO items_fts (rowid, part_no, name, spec) VALUES (new.id, new.part_no, new.name, new.spec);
END;
CREATE TRIGGER items_fts_delete AFTER DELETE ON items BEGIN
    INSERT INTO items_fts (items_fts, rowid, part_no, name, spec) VALUES ('delete', old.id, old.part_no, old.name, old.spec);
END;
