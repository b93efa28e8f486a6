System.Console.WriteLine(GanForge.Probe.Run());
