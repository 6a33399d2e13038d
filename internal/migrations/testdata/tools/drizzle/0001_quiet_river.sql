ALTER TABLE "authors" ADD COLUMN "bio" text;
