import { sql, type Kysely } from 'kysely';

/*
 * Student-t helpers for the analysis views. Everything is immutable and strict (null in,
 * null out), so the planner may inline or cache calls and Grafana can call them too.
 * Postgres raises errors on float underflow instead of returning 0, hence the guards
 * on exp() and on extreme t below.
 */

// Two-sided 95% quantiles t_{0.975, df} for df = 1..30, computed to 60 digits from the
// closed-form Student-t CDF (Abramowitz & Stegun 26.7.3/26.7.4) and rounded to the nearest double.
const t975Table = [
  12.706204736174705, 4.302652729749464, 3.1824463052837095, 2.7764451051977943, 2.5705818356363155,
  2.44691185114497, 2.3646242515927853, 2.3060041352041667, 2.2621571627982053, 2.228138851986275,
  2.2009851600916397, 2.178812829667229, 2.1603686564627926, 2.144786687917804, 2.1314495455597755,
  2.1199052992212546, 2.109815577833317, 2.1009220402410387, 2.0930240544083096, 2.085963447265865,
  2.0796138447276804, 2.0738730679040263, 2.0686576104190486, 2.063898561628026, 2.0595385527532977,
  2.055529438642873, 2.0518305164802855, 2.048407141795245, 2.0452296421327043, 2.042272456301238,
];

export async function up(db: Kysely<any>): Promise<void> {
  // Beyond the table the Cornish-Fisher expansion in 1/df (four terms) is within 3e-8 at df = 31
  // and improves quickly with df; confidence intervals need nothing closer.
  await sql`
    create function regsweep_t975(df integer) returns double precision
    language sql immutable strict parallel safe as $$
      select case
        when df < 1 then null
        when df <= 30 then (${sql.raw(`array[${t975Table.join(', ')}]`)}::float8[])[df]
        else z + (z^3 + z) / (4 * n)
               + (5 * z^5 + 16 * z^3 + 3 * z) / (96 * n^2)
               + (3 * z^7 + 19 * z^5 + 17 * z^3 - 15 * z) / (384 * n^3)
               + (79 * z^9 + 776 * z^7 + 1482 * z^5 - 1920 * z^3 - 945 * z) / (92160 * n^4)
      end
      from (values (1.959963984540054::float8, df::float8)) as v(z, n)
    $$`.execute(db);

  // Lanczos approximation (g = 7, 9 terms), relative error about 1e-15 for x > 0.
  // Postgres gained lgamma() only in version 18.
  await sql`
    create function regsweep_ln_gamma(x double precision) returns double precision
    language plpgsql immutable strict parallel safe as $$
    declare
      c constant float8[] := array[0.99999999999980993, 676.5203681218851, -1259.1392167224028,
        771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
        9.9843695780195716e-6, 1.5056327351493116e-7];
      a float8;
      t float8;
      y float8;
    begin
      if x <= 0 then
        return null;
      end if;
      if x < 0.5 then
        -- Reflection: the series is accurate only for x >= 0.5.
        return ln(pi() / abs(sin(pi() * x))) - regsweep_ln_gamma(1 - x);
      end if;
      y := x - 1;
      a := c[1];
      for i in 1..8 loop
        a := a + c[i + 1] / (y + i);
      end loop;
      t := y + 7.5;
      return 0.5 * ln(2 * pi()) + (y + 0.5) * ln(t) - t + ln(a);
    end
    $$`.execute(db);

  // Continued fraction for the incomplete beta function by the modified Lentz method
  // (Numerical Recipes, betacf); converges fast for x < (a + 1) / (a + b + 2).
  await sql`
    create function regsweep_beta_cf(a double precision, b double precision, x double precision)
    returns double precision
    language plpgsql immutable strict parallel safe as $$
    declare
      tiny constant float8 := 1e-30;
      qab float8 := a + b;
      qap float8 := a + 1;
      qam float8 := a - 1;
      c float8 := 1;
      d float8;
      h float8;
      aa float8;
      del float8;
      m2 integer;
    begin
      d := 1 - qab * x / qap;
      if abs(d) < tiny then d := tiny; end if;
      d := 1 / d;
      h := d;
      for m in 1..10000 loop
        m2 := 2 * m;
        aa := m * (b - m) * x / ((qam + m2) * (a + m2));
        d := 1 + aa * d;
        if abs(d) < tiny then d := tiny; end if;
        c := 1 + aa / c;
        if abs(c) < tiny then c := tiny; end if;
        d := 1 / d;
        h := h * d * c;
        aa := -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d := 1 + aa * d;
        if abs(d) < tiny then d := tiny; end if;
        c := 1 + aa / c;
        if abs(c) < tiny then c := tiny; end if;
        d := 1 / d;
        del := d * c;
        h := h * del;
        exit when abs(del - 1) < 1e-15;
      end loop;
      return h;
    end
    $$`.execute(db);

  await sql`
    create function regsweep_beta_inc(x double precision, a double precision, b double precision)
    returns double precision
    language plpgsql immutable strict parallel safe as $$
    declare
      log_front float8;
      front float8;
    begin
      if a <= 0 or b <= 0 or x < 0 or x > 1 then
        return null;
      end if;
      if x = 0 or x = 1 then
        return x;
      end if;
      log_front := regsweep_ln_gamma(a + b) - regsweep_ln_gamma(a) - regsweep_ln_gamma(b) + a * ln(x) + b * ln(1 - x);
      front := case when log_front < -700 then 0 else exp(log_front) end;
      -- Use the fraction where it converges and the symmetry I_x(a, b) = 1 - I_{1-x}(b, a) elsewhere.
      if x < (a + 1) / (a + b + 2) then
        return front * regsweep_beta_cf(a, b, x) / a;
      end if;
      return 1 - front * regsweep_beta_cf(b, a, 1 - x) / b;
    end
    $$`.execute(db);

  // Two-sided p-value of Student's t: P(|T| >= |t|) = I_{df/(df+t²)}(df/2, 1/2).
  await sql`
    create function regsweep_t_pvalue(t double precision, df integer) returns double precision
    language plpgsql immutable strict parallel safe as $$
    begin
      if df < 1 or t = 'NaN'::float8 then
        return null;
      end if;
      -- Past 1e100 the p-value is below 1e-100 for every df; squaring t would overflow.
      if abs(t) > 1e100 then
        return 0;
      end if;
      return least(1, regsweep_beta_inc(df / (df + t * t), df / 2.0, 0.5));
    end
    $$`.execute(db);

  await sql`
    create function regsweep_t_stat(mean double precision, sd double precision, n bigint) returns double precision
    language sql immutable strict parallel safe as $$
      select case when n >= 2 and sd > 0 then mean / (sd / sqrt(n)) end
    $$`.execute(db);

  await sql`
    create function regsweep_ci_half_width(sd double precision, n bigint) returns double precision
    language sql immutable strict parallel safe as $$
      select case when n >= 2 then regsweep_t975((n - 1)::integer) * sd / sqrt(n) end
    $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop function if exists regsweep_ci_half_width(double precision, bigint)`.execute(db);
  await sql`drop function if exists regsweep_t_stat(double precision, double precision, bigint)`.execute(db);
  await sql`drop function if exists regsweep_t_pvalue(double precision, integer)`.execute(db);
  await sql`drop function if exists regsweep_beta_inc(double precision, double precision, double precision)`.execute(db);
  await sql`drop function if exists regsweep_beta_cf(double precision, double precision, double precision)`.execute(db);
  await sql`drop function if exists regsweep_ln_gamma(double precision)`.execute(db);
  await sql`drop function if exists regsweep_t975(integer)`.execute(db);
}
