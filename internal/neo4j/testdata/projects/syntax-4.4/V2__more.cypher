CALL db.createUniquePropertyConstraint('user_email', ['User'], ['email'], 'native-btree-1.0');
DROP INDEX ON :Person(name);
CREATE INDEX ON :Person(name, born);
