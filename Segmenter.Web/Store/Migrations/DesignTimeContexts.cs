using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Segmenter.Web.Store.Migrations;

// `dotnet ef migrations add` builds each provider's context through these (it needs no server: adding a migration
// compares the model with the set's snapshot). The commands are in docs/operations.md, "Schema and upgrades".

/// <summary>The SQLite context at design time.</summary>
public sealed class SqliteDesignTimeContexts : IDesignTimeDbContextFactory<SqliteRunStoreContext>
{
    public SqliteRunStoreContext CreateDbContext(string[] args)
        => new(new DbContextOptionsBuilder<SqliteRunStoreContext>().UseSqlite("Data Source=design-time.db").Options);
}

/// <summary>The PostgreSQL context at design time.</summary>
public sealed class PostgresDesignTimeContexts : IDesignTimeDbContextFactory<PostgresRunStoreContext>
{
    public PostgresRunStoreContext CreateDbContext(string[] args)
        => new(new DbContextOptionsBuilder<PostgresRunStoreContext>().UseNpgsql("Host=localhost;Database=segmenter").Options);
}
