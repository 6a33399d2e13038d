CREATE TABLE keep_me_too (id int);
